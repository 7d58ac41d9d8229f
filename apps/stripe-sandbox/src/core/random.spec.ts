import { SandboxRandom } from './random.js';

const draws = (r: SandboxRandom, n: number) => Array.from({ length: n }, () => r.next());

describe('SandboxRandom', () => {
  it('draws the same sequence from the same seed, and another from another seed', () => {
    const a = draws(new SandboxRandom(42), 20);
    expect(draws(new SandboxRandom(42), 20)).toEqual(a);
    expect(draws(new SandboxRandom(43), 20)).not.toEqual(a);
    for (const x of a) expect(x >= 0 && x < 1).toBe(true);
  });

  it('shuffles alike from the same seed (a permutation of the items), differently from another', () => {
    const items = Array.from({ length: 30 }, (_v, i) => i);
    const once = new SandboxRandom(7).shuffle(items);
    expect(new SandboxRandom(7).shuffle(items)).toEqual(once);
    expect([...once].sort((x, y) => x - y)).toEqual(items);
    expect(once).not.toEqual(items);
    expect(new SandboxRandom(8).shuffle(items)).not.toEqual(once);
  });

  it('seeding mid-run restarts the sequence; null goes back to Math.random', () => {
    const r = new SandboxRandom();
    expect(r.seeded).toBe(false);
    r.next();
    r.seed(42);
    expect(r.seeded).toBe(true);
    expect(draws(r, 5)).toEqual(draws(new SandboxRandom(42), 5));
    r.seed(null);
    expect(r.seeded).toBe(false);
  });
});
