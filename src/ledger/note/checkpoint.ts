/**
 * C2SP tlog-checkpoint v1.0.0 (https://c2sp.org/tlog-checkpoint@v1.0.0): a signed note whose text is
 *
 *     <origin>\n<tree size, decimal, no leading zeros>\n<base64 of the 32-byte RFC 6962 root>\n
 *
 * optionally followed by non-empty extension lines.
 */
import { StenoError } from '../../core/errors.js';
import { HASH_SIZE } from '../tree/hash.js';
import { decodeBase64Strict, findControlCharacter, hasLoneSurrogate } from './encoding.js';
import {
  checkNoteText,
  MAX_NOTE_BYTES,
  type NoteSigner,
  type NoteVerifier,
  openNote,
  parseVerifierKey,
  signNote,
} from './signed-note.js';

/** tlog-checkpoint "Note text": origin, tree size and root hash come before any extension lines. */
const MANDATORY_LINES = 3;
/** tlog-checkpoint "Note text" (2): ASCII decimal, no leading zeroes unless the tree is empty. */
const TREE_SIZE_PATTERN = /^(?:0|[1-9][0-9]*)$/;

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  /** Extension lines after the root, without their newlines (usually none). */
  extensions: string[];
}

export interface CheckpointFields {
  origin: string;
  size: number;
  root: Uint8Array;
  extensions?: readonly string[];
}

function invalid(message: string): StenoError {
  return new StenoError('invalid_input', message);
}

/** A checkpoint line must be non-empty, one line, valid UTF-8 and free of control characters. */
function lineProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'is not a string';
  if (value.length === 0) return 'is empty';
  if (value.includes('\n')) return 'holds a newline';
  if (findControlCharacter(value) >= 0) return 'holds a control character';
  if (hasLoneSurrogate(value)) return 'is not valid UTF-8';
  return null;
}

/** The checkpoint note text (tlog-checkpoint "Note text"). */
export function formatCheckpoint(fields: CheckpointFields): string {
  if (typeof fields !== 'object' || fields === null) throw invalid('a checkpoint needs origin, size and root');
  const { origin, size, root, extensions = [] } = fields;
  const originProblem = lineProblem(origin);
  if (originProblem !== null) throw invalid(`checkpoint origin ${originProblem}`);
  if (!Number.isSafeInteger(size) || size < 0) throw invalid(`checkpoint tree size must be a non-negative integer`);
  if (!(root instanceof Uint8Array) || root.length !== HASH_SIZE) {
    throw invalid(`checkpoint root hash must be ${HASH_SIZE} bytes`);
  }
  if (!Array.isArray(extensions)) throw invalid('checkpoint extensions must be a list of lines');
  extensions.forEach((line: unknown, i) => {
    const problem = lineProblem(line);
    if (problem !== null) throw invalid(`checkpoint extension line ${i + 1} ${problem}`);
  });
  const lines = [origin, String(size), Buffer.from(root).toString('base64'), ...extensions];
  return `${lines.join('\n')}\n`;
}

/** Parses a checkpoint note text strictly (tlog-checkpoint "Note text"); extension lines are returned as-is. */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string') throw invalid('checkpoint text must be a string');
  if (text.length > MAX_NOTE_BYTES) throw new StenoError('too_large', 'checkpoint text is too large');
  checkNoteText(text);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < MANDATORY_LINES) {
    throw invalid('checkpoint text needs an origin line, a tree size line and a root hash line');
  }
  const [origin, sizeText, rootText] = lines as [string, string, string];
  const extensions = lines.slice(MANDATORY_LINES);
  if (origin.length === 0) throw invalid('checkpoint origin line is empty');
  if (!TREE_SIZE_PATTERN.test(sizeText)) {
    throw invalid('checkpoint tree size must be decimal digits without a sign or leading zeros');
  }
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw invalid(`checkpoint tree size ${sizeText} is larger than Steno supports`);
  const root = decodeBase64Strict(rootText);
  if (root === null || root.length !== HASH_SIZE) {
    throw invalid(`checkpoint root hash must be canonical base64 of ${HASH_SIZE} bytes`);
  }
  extensions.forEach((line, i) => {
    if (line.length === 0) throw invalid(`checkpoint extension line ${i + 1} is empty`);
  });
  return { origin, size, root, extensions };
}

/** The signed checkpoint note. */
export function signCheckpoint(fields: CheckpointFields, signers: NoteSigner | readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(fields), signers);
}

/**
 * Opens a checkpoint note with one trusted verifier (a verifier key string or a parsed verifier) and
 * parses its text. Throws unless that key signed it; with options.origin, also unless the origin matches.
 */
export function verifyCheckpoint(
  note: string | Uint8Array,
  verifier: string | NoteVerifier,
  options: { origin?: string } = {},
): Checkpoint {
  const trusted = typeof verifier === 'string' ? parseVerifierKey(verifier) : verifier;
  const opened = openNote(note, [trusted]);
  const checkpoint = parseCheckpoint(opened.text);
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    throw new StenoError(
      'conflict',
      `checkpoint is for origin ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(options.origin)}`,
    );
  }
  return checkpoint;
}
