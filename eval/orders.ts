/**
 * `npm run eval:orders [-- FILE.jsonl …] [--verbose]`: scores order extraction on labelled messages
 * (`{"id","text","orders":[…]}` a line) and prints precision, recall and F1 for each file. Without a
 * file it scores ../shared/corpus/orders/dev.jsonl against ../shared/corpus/orders/instruments.csv;
 * `--instruments FILE.csv` names another security master.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { OrderExtractor } from '../src/surveil/orders/extract.js';
import { parseInstrumentsCsv, SecurityMaster } from '../src/surveil/orders/instruments.js';
import { type GoldOrder, matchMessage, score } from '../src/surveil/orders/score.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = resolve(root, '..', 'shared', 'corpus', 'orders');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { instruments: { type: 'string' }, verbose: { type: 'boolean', default: false } },
});
const instrumentsFile = values.instruments ?? join(corpus, 'instruments.csv');
const files = positionals.length > 0 ? positionals : [join(corpus, 'dev.jsonl')];
for (const f of [instrumentsFile, ...files]) {
  if (!existsSync(f)) {
    process.stderr.write(`eval:orders: ${f} is not there (the corpus lives in ../shared/corpus/orders)\n`);
    process.exit(2);
  }
}
const extractor = new OrderExtractor(
  new SecurityMaster(parseInstrumentsCsv(readFileSync(instrumentsFile, 'utf8'), instrumentsFile)),
);

let worst = 1;
for (const file of files) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const item = JSON.parse(line) as { id: string; text: string; orders: GoldOrder[] };
    const predicted = extractor.extract(item.text) as unknown as Record<string, unknown>[];
    const m = matchMessage(item.orders, predicted);
    tp += m.matched;
    fp += m.unmatchedPredictions.length;
    fn += m.missedGold.length;
    if (values.verbose && (m.unmatchedPredictions.length > 0 || m.missedGold.length > 0)) {
      const brief = (o: Record<string, unknown>) => {
        const { spans: _spans, confidence: _confidence, ...fields } = o;
        return JSON.stringify(fields);
      };
      process.stdout.write(`${file}:${index + 1} ${item.id} ${JSON.stringify(item.text)}\n`);
      for (const i of m.unmatchedPredictions) process.stdout.write(`  extra:  ${brief(predicted[i]!)}\n`);
      for (const j of m.missedGold) process.stdout.write(`  missed: ${JSON.stringify(item.orders[j])}\n`);
    }
  });
  const s = score(tp, fp, fn);
  worst = Math.min(worst, s.f1);
  process.stdout.write(
    `${file}: precision ${s.precision.toFixed(3)}  recall ${s.recall.toFixed(3)}  F1 ${s.f1.toFixed(3)}  (${tp} matched, ${fp} extra, ${fn} missed)\n`,
  );
}
process.exitCode = worst >= 0.97 ? 0 : 1;
