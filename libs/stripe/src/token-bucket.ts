/**
 * A token bucket: `take()` resolves when a request may go out. Waiters are served in order, so a
 * burst of callers queues instead of stampeding Stripe into 429s.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number = ratePerSecond,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new Error('TokenBucket needs a positive rate and a burst of at least 1');
    this.tokens = burst;
    this.last = now();
  }

  take(): Promise<void> {
    const turn = this.tail.then(() => this.acquire());
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private async acquire(): Promise<void> {
    this.refill();
    if (this.tokens < 1) {
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000)));
      this.refill();
    }
    this.tokens -= 1;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }
}
