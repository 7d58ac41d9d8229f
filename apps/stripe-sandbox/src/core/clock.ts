// Sandbox time (unix seconds): starts at real time and moves only when advanced, so tests are
// deterministic. Pending funds, payouts, links, sessions and idempotency keys all read it.
export class SandboxClock {
  private current: number;
  constructor(start: number = Math.floor(Date.now() / 1000)) {
    this.current = Math.floor(start);
  }
  now(): number {
    return this.current;
  }
  set(to: number): void {
    if (to < this.current) throw new Error('the sandbox clock only moves forward');
    this.current = Math.floor(to);
  }
}
