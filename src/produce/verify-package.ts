/**
 * Offline verification of a steno-evidence/1 package. Pure: it is given the package's files and touches
 * no database or network, and imports nothing from store/. Every byte of the package is hostile input:
 * sizes are bounded and every parse failure becomes a named problem, never a crash.
 *
 * It checks: the manifest's file hashes; the checkpoint's signature with the verifier key (pinned by
 * the caller, or the package's own, which the caller should compare with a published one); each record's
 * RFC 9162 inclusion proof against the checkpoint root, once each and in ledger order; each content's
 * salted commitment in its leaf, in canonical form; and that transcript.html is exactly the rendering of
 * the proved records. README.txt is instructions, not evidence.
 */
import type { MessageContent } from '../capture/model.js';
import { canonicalBytes, canonicalize } from '../core/canonical-json.js';
import { sha256, sha256Hex } from '../core/hash.js';
import { verifyCheckpoint } from '../ledger/note/checkpoint.js';
import { contentCommitment, parseLeaf } from '../ledger/records.js';
import { hashLeaf, verifyInclusion } from '../ledger/tree/index.js';
import { type Manifest, PACKAGE_FILES, PACKAGE_FORMAT } from './package-format.js';
import { renderTranscript } from './transcript.js';

export interface PackageFiles {
  /** Relative paths (`attachments/<sha>` for attachments) → bytes. */
  files: ReadonlyMap<string, Buffer>;
}

export interface PackageReport {
  ok: boolean;
  origin?: string;
  treeSize?: number;
  records: number;
  withContent: number;
  attachments: number;
  verifierKey?: string;
  problems: string[];
}

const MAX_PROBLEMS = 200;

export function verifyPackage(pkg: PackageFiles, options: { pinnedKey?: string } = {}): PackageReport {
  const problems: string[] = [];
  const report: PackageReport = { ok: false, records: 0, withContent: 0, attachments: 0, problems };
  const fail = (p: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const text = (name: string): string | null => {
    const bytes = pkg.files.get(name);
    if (bytes === undefined) {
      fail(`${name} is missing`);
      return null;
    }
    return bytes.toString('utf8');
  };

  // 1. Manifest and file hashes.
  const manifestText = text(PACKAGE_FILES.manifest);
  if (manifestText === null) return report;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestText) as Manifest;
    if (typeof manifest !== 'object' || manifest === null) throw new Error('not an object');
  } catch (error) {
    fail(`manifest.json is not valid JSON: ${(error as Error).message}`);
    return report;
  }
  if (manifest.format !== PACKAGE_FORMAT) {
    fail(`manifest.json format is ${JSON.stringify(manifest.format)}, expected ${PACKAGE_FORMAT}`);
    return report;
  }
  if (typeof manifest.files !== 'object' || manifest.files === null) {
    fail('manifest.json has no files map');
    return report;
  }
  for (const [name, digest] of Object.entries(manifest.files)) {
    const bytes = pkg.files.get(name);
    if (bytes === undefined) fail(`${name} is listed in the manifest but missing`);
    else if (sha256Hex(bytes) !== digest) fail(`${name} does not match its SHA-256 in the manifest: it was changed`);
  }
  for (const name of pkg.files.keys()) {
    if (name !== PACKAGE_FILES.manifest && !Object.hasOwn(manifest.files, name))
      fail(`${name} is not listed in the manifest`);
  }

  // 2. Checkpoint signature.
  const packagedKey = text(PACKAGE_FILES.verifierKey)?.trim();
  const key = options.pinnedKey ?? packagedKey;
  if (options.pinnedKey !== undefined && packagedKey !== undefined && packagedKey !== options.pinnedKey) {
    fail('verifier-key.txt is not the key you supplied: the package was signed by another key');
  }
  const note = text(PACKAGE_FILES.checkpoint);
  if (key === undefined || note === null) return finish(report);
  report.verifierKey = key;
  let root: Buffer;
  let treeSize: number;
  try {
    const cp = verifyCheckpoint(note, key);
    root = Buffer.from(cp.root);
    treeSize = cp.size;
    report.origin = cp.origin;
    report.treeSize = cp.size;
    if (cp.origin !== manifest.origin) fail(`checkpoint origin "${cp.origin}" differs from the manifest's`);
    if (cp.size !== manifest.treeSize)
      fail(`checkpoint tree size ${cp.size} differs from the manifest's ${manifest.treeSize}`);
  } catch (error) {
    fail(`checkpoint.txt does not verify: ${(error as Error).message}`);
    return finish(report);
  }

  // 3. Records and their inclusion proofs, line by line.
  const recordLines = lines(pkg.files.get(PACKAGE_FILES.records));
  const proofLines = lines(pkg.files.get(PACKAGE_FILES.proofs));
  if (recordLines.length !== proofLines.length) {
    fail(`records.jsonl has ${recordLines.length} lines but proofs.jsonl has ${proofLines.length}`);
  }
  if (recordLines.length !== manifest.records) {
    fail(`manifest.json says ${manifest.records} records but records.jsonl has ${recordLines.length}`);
  }
  const commitments = new Map<number, string>();
  const proved: { index: number; id: string; capturedAt: string }[] = [];
  let lastIndex = -1;
  recordLines.forEach((line, i) => {
    const where = `records.jsonl line ${i + 1}`;
    const proofLine = proofLines[i];
    if (proofLine === undefined) return;
    let entry: { index: number; proof: string[] };
    try {
      entry = JSON.parse(proofLine.toString('utf8')) as { index: number; proof: string[] };
      if (!Number.isSafeInteger(entry.index) || !Array.isArray(entry.proof) || entry.proof.length > 64) {
        throw new Error('needs an integer index and a proof array of at most 64 hashes');
      }
    } catch (error) {
      fail(`proofs.jsonl line ${i + 1} is malformed: ${(error as Error).message}`);
      return;
    }
    // Records appear once each, in ledger order: a repeated or reordered line would be counted twice.
    if (entry.index <= lastIndex) {
      fail(`proofs.jsonl line ${i + 1}: ledger index ${entry.index} is not after the previous line's ${lastIndex}`);
      return;
    }
    lastIndex = entry.index;
    const proof = entry.proof.map((h) => Buffer.from(String(h), 'base64'));
    const included = verifyInclusion({ leafHash: hashLeaf(line), leafIndex: entry.index, treeSize, proof, root });
    if (!included) {
      fail(
        `${where} (ledger index ${entry.index}) is not proved by its inclusion proof: the record was changed or does not belong`,
      );
      return;
    }
    try {
      const leaf = parseLeaf(line);
      commitments.set(entry.index, leaf.commitment);
      proved.push({ index: entry.index, id: leaf.id, capturedAt: leaf.capturedAt });
    } catch (error) {
      fail(`${where} is not a Steno leaf: ${(error as Error).message}`);
      return;
    }
    report.records++;
  });

  // 4. Content against the commitments in the proved leaves.
  const contentBytes = pkg.files.get(PACKAGE_FILES.content);
  const contents = new Map<number, MessageContent>();
  lines(contentBytes).forEach((line, i) => {
    const where = `content.jsonl line ${i + 1}`;
    try {
      const entry = JSON.parse(line.toString('utf8')) as { index: number; salt: string; content: unknown };
      const commitment = commitments.get(entry.index);
      if (commitment === undefined) {
        fail(`${where} is for ledger index ${entry.index}, which no proved record has`);
        return;
      }
      if (contents.has(entry.index)) {
        fail(`${where} repeats the content of ledger index ${entry.index}`);
        return;
      }
      // The line must be exactly what Steno writes: with the content in canonical form, a reader that
      // handles duplicate keys or odd escapes differently cannot be shown something else.
      const canonicalLine = `{"index":${entry.index},"salt":${JSON.stringify(entry.salt)},"content":${canonicalize(entry.content)}}`;
      if (canonicalLine !== line.toString('utf8')) {
        fail(`${where} is not in canonical form (RFC 8785 content, fields index, salt, content)`);
        return;
      }
      const actual = contentCommitment(Buffer.from(String(entry.salt), 'base64'), canonicalBytes(entry.content));
      if (actual !== commitment) {
        fail(
          `${where} (ledger index ${entry.index}) does not match the commitment in its record: the content was changed`,
        );
        return;
      }
      contents.set(entry.index, entry.content as MessageContent);
      report.withContent++;
    } catch (error) {
      fail(`${where} is malformed: ${(error as Error).message}`);
    }
  });

  // The transcript is what a reviewer reads: it must be exactly the rendering of the proved records.
  const transcript = pkg.files.get(PACKAGE_FILES.transcript);
  if (transcript !== undefined && problems.length === 0) {
    const expected = renderTranscript({
      origin: report.origin ?? manifest.origin,
      treeSize,
      createdAt: String(manifest.createdAt),
      selection: manifest.selection ?? {},
      entries: proved.map((r) => ({ ...r, content: contents.get(r.index) ?? null })),
    });
    if (!transcript.equals(Buffer.from(expected, 'utf8'))) {
      fail('transcript.html does not show the proved records as they are: it was changed');
    }
  }

  // 5. Attachments are named by their hash.
  for (const [name, bytes] of pkg.files) {
    if (!name.startsWith(`${PACKAGE_FILES.attachmentsDir}/`)) continue;
    report.attachments++;
    const expected = name.slice(PACKAGE_FILES.attachmentsDir.length + 1);
    if (sha256(bytes).toString('hex') !== expected) fail(`${name} does not hash to its name`);
  }
  return finish(report);
}

function finish(report: PackageReport): PackageReport {
  report.ok = report.problems.length === 0;
  return report;
}

/** Splits on \n; a final newline does not make an empty last line. */
function lines(bytes: Buffer | undefined): Buffer[] {
  if (bytes === undefined || bytes.length === 0) return [];
  const out: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, start)) {
    out.push(bytes.subarray(start, i));
    start = i + 1;
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}
