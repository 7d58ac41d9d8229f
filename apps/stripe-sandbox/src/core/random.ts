// The sandbox's own randomness (fault fractions, webhook shuffles): Math.random until seeded, then
// mulberry32 from the seed, so a run seeded alike draws alike (a simulation replay).
export class SandboxRandom {
  private state: number | null = null;

  constructor(seed?: number) {
    if (seed !== undefined) this.seed(seed);
  }

  /** From now on the draws follow `seed` (a 32-bit unsigned integer); null: Math.random again. */
  seed(seed: number | null): void {
    this.state = seed === null ? null : seed >>> 0;
  }

  get seeded(): boolean {
    return this.state !== null;
  }

  /** A float in [0, 1). */
  next(): number {
    if (this.state === null) return Math.random();
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** A new array: Fisher-Yates over `items`. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

export function isRandomSeed(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}
