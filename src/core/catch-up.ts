/**
 * How a projection that follows the ledger runs its catch-up (the orders read from chat, the firm's
 * account activity): one run at a time in this process, and calls made while one runs share the next
 * run, which starts after it, so a caller always sees what was archived before it called. A run that
 * finds its state moved on by another process (a `conflict`) starts again from where it now is.
 */
import { StenoError } from './errors.js';

/** Attempts before a projection gives up on a state that keeps moving under it. */
const MAX_CONFLICT_RETRIES = 10;

export class CatchUpRunner<T> {
  private queued: Promise<T> | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly run: () => Promise<T>) {}

  catchUp(): Promise<T> {
    if (this.queued !== null) return this.queued;
    const next = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.runWithRetries();
      });
    this.queued = next;
    this.running = next;
    return next;
  }

  private async runWithRetries(): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.run();
      } catch (error) {
        if (!(error instanceof StenoError && error.code === 'conflict') || attempt >= MAX_CONFLICT_RETRIES) throw error;
      }
    }
  }
}

/** The progress of a projection that folds one record type: its version, and how far it has read. */
export interface RecordProgress {
  /** Bumped when the projection's rows change meaning: it is then rebuilt from the ledger. */
  version: number;
  /** Every record of its type up to this ledger index is in the projection. */
  through: number;
}

/** A stored progress value, or null when there is none or it cannot be read (the projection is rebuilt). */
export function parseRecordProgress(value: string | null): RecordProgress | null {
  if (value === null) return null;
  try {
    const state = JSON.parse(value) as RecordProgress;
    return typeof state.version === 'number' && typeof state.through === 'number' ? state : null;
  } catch {
    return null;
  }
}
