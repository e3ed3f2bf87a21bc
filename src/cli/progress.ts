import type { Output } from './output.js';

/** A progress bar on a terminal (nothing when stderr is not one). */
export class Progress {
  private done_ = 0;
  private lastDraw = 0;
  private readonly started = performance.now();

  constructor(
    private readonly out: Output,
    private readonly total: number,
  ) {}

  advance(n: number): void {
    this.set(this.done_ + n);
  }

  set(done: number): void {
    this.done_ = done;
    const now = performance.now();
    if (!this.out.isTty || now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const fraction = this.total === 0 ? 1 : this.done_ / this.total;
    const width = 30;
    const filled = Math.round(fraction * width);
    const rate = Math.round(this.done_ / ((now - this.started) / 1000));
    this.out.stderr(
      `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(fraction * 100).toFixed(0)}% ${this.done_}/${this.total} ${rate}/s`,
    );
  }

  done(): void {
    if (this.out.isTty) this.out.stderr('\n');
  }
}
