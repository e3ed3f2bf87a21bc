import { localOperator } from '../../capture/importers/source-file.js';
import { loadConfig } from '../../config/config.js';
import { openSteno, type Steno } from '../../context.js';

export async function openFromArgs(values: { data?: string | boolean | undefined }, createKey = false): Promise<Steno> {
  const config = loadConfig(process.env, typeof values.data === 'string' ? { dataDir: values.data } : {});
  return openSteno(config, { createKey });
}

/** What an operator did from the shell, as an access record: made by this machine's user, from no address. */
export function recordOperatorAccess(
  steno: Steno,
  action: string,
  target: string | null,
  detail: Record<string, unknown> = {},
): Promise<number> {
  return steno.access.record({ action, actor: `cli:${localOperator()}`, from: null, target, detail });
}
