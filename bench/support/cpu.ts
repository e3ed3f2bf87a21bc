/**
 * CPU time another process has used, read from Linux's /proc, so a figure can say what each request
 * cost the server, not only how fast the answers came (the load generator shares the machine).
 * Null where /proc is not there.
 */
import { readFileSync } from 'node:fs';

/** /proc counts in USER_HZ ticks, which Linux fixes at 100 a second for user space. */
const MS_PER_TICK = 10;

function cpuTicks(statFile: string): number | null {
  try {
    // The command name (in parentheses) may hold spaces: fields are counted after it.
    const fields = readFileSync(statFile, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

export interface CpuReading {
  /** All the process's threads, ms. */
  processMs: number;
  /** Its main thread (the one that answers HTTP), ms. */
  mainThreadMs: number;
}

export function readCpu(pid: number): CpuReading | null {
  const all = cpuTicks(`/proc/${pid}/stat`);
  const main = cpuTicks(`/proc/${pid}/task/${pid}/stat`);
  if (all === null || main === null) return null;
  return { processMs: all * MS_PER_TICK, mainThreadMs: main * MS_PER_TICK };
}
