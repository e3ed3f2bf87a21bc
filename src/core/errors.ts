/**
 * Every failure Steno reports on purpose carries one of these codes. The HTTP layer and the CLI map
 * codes to status and exit codes in one place each (review/api/errors.ts, cli/main.ts), and hide the
 * message of anything that is not a StenoError.
 */
export type ErrorCode =
  | 'invalid_input' // the caller sent something malformed: fix the input and retry
  | 'invalid_query' // search syntax the parser cannot read
  | 'too_large' // a body, batch, file or attachment over its limit
  | 'unauthorized' // missing or unknown credentials
  | 'forbidden' // known credentials without the needed scope
  | 'not_found'
  | 'conflict' // the request contradicts stored state (e.g. a different log origin)
  | 'too_many_requests' // over a rate limit (sign-in attempts)
  | 'config' // the environment or flags do not describe a runnable Steno
  | 'io' // the disk or database failed underneath us
  | 'integrity'; // stored data does not match its proofs

export interface Problem {
  /** Where the problem is: a field path such as `[3].sentAt`, a line number, a flag. */
  where: string;
  message: string;
}

export class StenoError extends Error {
  readonly code: ErrorCode;
  readonly problems: readonly Problem[];

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; problems?: readonly Problem[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StenoError';
    this.code = code;
    this.problems = options.problems ?? [];
  }
}

export function isStenoError(error: unknown): error is StenoError {
  return error instanceof StenoError;
}

export function describeProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.where}: ${p.message}`).join('\n');
}
