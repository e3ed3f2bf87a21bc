import { loadConfig } from '../../config/config.js';
import { openSteno, type Steno } from '../../context.js';

export async function openFromArgs(values: { data?: string | boolean | undefined }, createKey = false): Promise<Steno> {
  const config = loadConfig(process.env, typeof values.data === 'string' ? { dataDir: values.data } : {});
  return openSteno(config, { createKey });
}
