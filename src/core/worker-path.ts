import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StenoError } from './errors.js';

/**
 * Worker threads run compiled JavaScript. From the build, the worker is a sibling of the calling module;
 * when the sources run under the test runner (TypeScript), the build made by the test setup is used.
 */
export function compiledWorkerPath(callerUrl: string, workerFile: string): string {
  const here = fileURLToPath(callerUrl);
  const sibling = here.replace(/[^/\\]+\.(ts|js)$/, workerFile);
  if (here.endsWith('.js') && existsSync(sibling)) return sibling;
  const built = sibling.replace(/([/\\])src([/\\])/, '$1dist$1src$2');
  if (existsSync(built)) return built;
  throw new StenoError('config', `the worker ${workerFile} is not built (${built}); run npm run build`);
}
