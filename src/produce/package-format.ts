/** steno-evidence/1 (architecture.md): file names and the manifest shape, shared by writer and verifier. */
export const PACKAGE_FORMAT = 'steno-evidence/1';

export const PACKAGE_FILES = {
  manifest: 'manifest.json',
  checkpoint: 'checkpoint.txt',
  verifierKey: 'verifier-key.txt',
  records: 'records.jsonl',
  proofs: 'proofs.jsonl',
  content: 'content.jsonl',
  transcript: 'transcript.html',
  readme: 'README.txt',
  attachmentsDir: 'attachments',
} as const;

export interface Manifest {
  format: typeof PACKAGE_FORMAT;
  origin: string;
  treeSize: number;
  records: number;
  createdAt: string;
  selection: Record<string, unknown>;
  files: Record<string, string>;
}
