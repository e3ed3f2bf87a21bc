import { type ParseArgsConfig, parseArgs } from 'node:util';
import { StenoError } from '../core/errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  data: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

/** parseArgs with usage errors turned into StenoError('config') (exit 2). */
export function parse<T extends Options>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}

export class UsageError extends StenoError {
  constructor(message: string) {
    super('config', message);
    this.name = 'UsageError';
  }
}
