/**
 * transcript.html: the selection as a readable conversation transcript, self-contained (inline CSS,
 * no scripts, a CSP that forbids loading anything) and with every piece of content escaped.
 */
import type { MessageContent } from '../capture/model.js';

export interface TranscriptEntry {
  index: number;
  id: string;
  capturedAt: string;
  content: MessageContent | null;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const KIND_LABEL: Record<string, string> = {
  edit: 'edited',
  delete: 'deleted',
  recall: 'recalled',
  system: 'system',
};

export function renderTranscript(options: {
  origin: string;
  treeSize: number;
  createdAt: string;
  selection: Record<string, unknown>;
  entries: readonly TranscriptEntry[];
}): string {
  const byConversation = new Map<string, TranscriptEntry[]>();
  const shredded: TranscriptEntry[] = [];
  for (const e of options.entries) {
    if (e.content === null) {
      shredded.push(e);
      continue;
    }
    const key = `${e.content.platform}\u0000${e.content.conversationId}`;
    const list = byConversation.get(key) ?? [];
    list.push(e);
    byConversation.set(key, list);
  }
  const sections: string[] = [];
  for (const entries of byConversation.values()) {
    entries.sort((a, b) => Date.parse(a.content!.sentAt) - Date.parse(b.content!.sentAt) || a.index - b.index);
    const first = entries[0]!.content!;
    const title = first.conversationTitle ?? first.conversationId;
    const rows = entries.map((e) => renderMessage(e)).join('\n');
    sections.push(
      `<section><h2>${escapeHtml(title)}</h2><p class="meta">${escapeHtml(first.platform)} · conversation ${escapeHtml(first.conversationId)} · ${entries.length} record(s)</p>\n${rows}\n</section>`,
    );
  }
  if (shredded.length > 0) {
    sections.push(
      `<section><h2>Records without content</h2><p class="meta">Content shredded at end of retention; the ledger records remain and are proved.</p>${shredded
        .map((e) => `<p>#${e.index} ${escapeHtml(e.id)}</p>`)
        .join('')}</section>`,
    );
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Steno evidence transcript — ${escapeHtml(options.origin)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
.meta{color:#555;font-size:.85rem}.msg{margin:.6rem 0;padding:.4rem .6rem;border-left:3px solid #9ab}
.msg.edit,.msg.delete,.msg.recall{border-left-color:#c80}.who{font-weight:600}.when{color:#555;font-size:.85rem}
.text{white-space:pre-wrap;overflow-wrap:anywhere}.tag{font-size:.75rem;background:#fde8c8;padding:0 .3rem;border-radius:3px}
.att{font-size:.85rem;color:#333}
</style>
</head>
<body>
<h1>Evidence transcript</h1>
<p class="meta">Log ${escapeHtml(options.origin)} · checkpoint tree size ${options.treeSize} · exported ${escapeHtml(options.createdAt)} · ${options.entries.length} record(s)<br>
Selection: ${escapeHtml(JSON.stringify(options.selection))}<br>
Each message below is a record in records.jsonl with an inclusion proof in proofs.jsonl; README.txt explains how to verify them.</p>
${sections.join('\n')}
</body>
</html>
`;
}

function renderMessage(e: TranscriptEntry): string {
  const c = e.content!;
  const who = c.senderName !== undefined ? `${c.senderName} (${c.sender})` : c.sender;
  const label = KIND_LABEL[c.kind];
  const tag =
    label === undefined
      ? ''
      : ` <span class="tag">${label}${c.refersTo !== undefined ? ` — refers to ${escapeHtml(c.refersTo)}` : ''}</span>`;
  const to = c.recipients !== undefined && c.recipients.length > 0 ? ` → ${escapeHtml(c.recipients.join(', '))}` : '';
  const attachments = (c.attachments ?? [])
    .map(
      (a) =>
        `<div class="att">📎 ${escapeHtml(a.filename)} (${escapeHtml(a.contentType)}, ${a.size} bytes) — attachments/${escapeHtml(a.sha256)}</div>`,
    )
    .join('');
  const id = c.platformMessageId !== undefined ? ` · message ${escapeHtml(c.platformMessageId)}` : '';
  return `<div class="msg ${escapeHtml(c.kind)}" id="r${e.index}"><span class="who">${escapeHtml(who)}</span>${to}${tag}
<div class="when">${escapeHtml(c.sentAt)} · record #${e.index}${id}</div>
<div class="text">${escapeHtml(c.text ?? '')}</div>${attachments}</div>`;
}
