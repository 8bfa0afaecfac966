/**
 * At most `limit` holders at once, and at most `maxWaiting` queued behind them: a burst of uploads waits
 * its turn for the decoder instead of decoding (and holding decoded pixels) all at once, and a burst larger
 * than the queue is refused rather than buffered without bound.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly maxWaiting: number,
  ) {}

  /** False when the queue is full (the caller answers 503); otherwise resolves once a slot is free. */
  tryAcquire(): Promise<boolean> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(true);
    }
    if (this.waiting.length >= this.maxWaiting) return Promise.resolve(false);
    return new Promise((resolve) => this.waiting.push(() => resolve(true)));
  }

  release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next in line: `active` stays the same.
    if (next) next();
    else this.active--;
  }

  async run<T>(work: () => Promise<T>): Promise<T | undefined> {
    if (!(await this.tryAcquire())) return undefined;
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  get inUse(): number {
    return this.active;
  }
}
