/** Request bodies and query parameters as the routes read them: checked, and refused by name. */
import { StenoError } from '../../core/errors.js';

export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new StenoError('invalid_input', 'the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

export function integerParam(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d{1,15}$/.test(value)) {
    throw new StenoError('invalid_input', `${name} must be a non-negative integer`, {
      problems: [{ where: name, message: 'must be a non-negative integer' }],
    });
  }
  return Number(value);
}
