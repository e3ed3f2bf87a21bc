import type { Output } from './output.js';

/** A progress bar on a terminal (nothing when stderr is not one). */
export class Progress {
  private done_ = 0;
  private lastDraw = 0;
  private readonly started = performance.now();

  constructor(
    private readonly out: Output,
    /** Unknown (null) for a stream read once: then the bar shows the count and rate only. */
    private readonly total: number | null,
  ) {}

  advance(n: number): void {
    this.set(this.done_ + n);
  }

  set(done: number): void {
    this.done_ = done;
    const now = performance.now();
    if (!this.out.isTty || now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const rate = Math.round(this.done_ / ((now - this.started) / 1000));
    if (this.total === null) {
      this.out.stderr(`\r${this.done_} ${rate}/s`);
      return;
    }
    const fraction = this.total === 0 ? 1 : this.done_ / this.total;
    const width = 30;
    const filled = Math.round(fraction * width);
    this.out.stderr(
      `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(fraction * 100).toFixed(0)}% ${this.done_}/${this.total} ${rate}/s`,
    );
  }

  done(): void {
    if (this.out.isTty) this.out.stderr('\n');
  }
}
