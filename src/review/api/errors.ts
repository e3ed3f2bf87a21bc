/** The one place errors become HTTP responses. Internals of unexpected errors never leave the server. */
import type { ErrorCode, Problem } from '../../core/errors.js';
import { isStenoError } from '../../core/errors.js';

const STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  invalid_query: 400,
  too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_requests: 429,
  config: 500,
  io: 503,
  integrity: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode | 'internal'; message: string; problems?: readonly Problem[] };
}

export function toHttpError(error: unknown): { status: number; body: ErrorBody; unexpected: boolean } {
  if (isStenoError(error)) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.problems.length > 0) body.error.problems = error.problems;
    return { status: STATUS[error.code], body, unexpected: error.code === 'io' || error.code === 'integrity' };
  }
  return {
    status: 500,
    body: { error: { code: 'internal', message: 'internal error; the server log has the details' } },
    unexpected: true,
  };
}
