import { execFileSync } from 'node:child_process';

/** Suites that start `steno` as a child process need the compiled CLI; build it once per run. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
