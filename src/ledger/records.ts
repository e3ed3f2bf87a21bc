/**
 * Ledger leaves (architecture.md, "Ledger"): the RFC 8785 canonical JSON of a small record that
 * commits to its content with a salted hash. The content itself lives in the content vault; shredding
 * content and salt later leaves the leaf, and every proof, intact.
 */
import { sha256Base64 } from '../core/hash.js';

export const LEAF_VERSION = 1;
/**
 * A message; the import of a file of them (what, from where, by whom, with what result); a change to the
 * directory of staff and clients; the security master orders are read with; an event of the firm's
 * account activity (an order entered, replaced or cancelled, an execution report); a surveillance policy;
 * an alert raised, or something a reviewer did to one; reference data the rules read (stock turnover);
 * media fetched for a captured message; an access to the archive or a change to who may access it.
 */
export const RECORD_TYPES = [
  'message',
  'import',
  'directory',
  'instruments',
  'activity',
  'policy',
  'alert',
  'reference',
  'media',
  'access',
] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export interface Leaf {
  v: typeof LEAF_VERSION;
  type: RecordType;
  id: string;
  capturedAt: string;
  commitment: string;
}

/** commitment = base64(SHA-256(salt ‖ JCS(content))) */
export function contentCommitment(salt: Uint8Array, contentBytes: Uint8Array): string {
  return sha256Base64(salt, contentBytes);
}

/**
 * The leaf's RFC 8785 bytes. Its keys are fixed and already in canonical order (capturedAt, commitment,
 * id, type, v) and its values are strings (JSON.stringify escapes them as RFC 8785 does) and the
 * number 1, so the bytes are built directly: this runs once per record on the ingest path. A test
 * holds it equal to the general canonicalize.
 */
export function leafBytes(leaf: Leaf): Buffer {
  return Buffer.from(
    `{"capturedAt":${JSON.stringify(leaf.capturedAt)},"commitment":${JSON.stringify(leaf.commitment)},"id":${JSON.stringify(leaf.id)},"type":${JSON.stringify(leaf.type)},"v":${leaf.v}}`,
    'utf8',
  );
}

export function parseLeaf(bytes: Uint8Array): Leaf {
  const value: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
  if (typeof value !== 'object' || value === null) throw new Error('leaf is not a JSON object');
  const leaf = value as Record<string, unknown>;
  if (
    leaf.v !== LEAF_VERSION ||
    typeof leaf.type !== 'string' ||
    typeof leaf.id !== 'string' ||
    typeof leaf.capturedAt !== 'string' ||
    typeof leaf.commitment !== 'string'
  ) {
    throw new Error('leaf lacks v, type, id, capturedAt or commitment');
  }
  return leaf as unknown as Leaf;
}
