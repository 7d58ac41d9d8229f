import { runSeed } from './sim/simulation.js';

// CI's run of `npm run sim -- --seeds 50`: SIM_SEEDS / SIM_STEPS widen it (`npm run sim -- --seeds 500 --steps 200` is the long run).
// Its own file, so Jest runs it beside the broken-safeguard and secrets tests (test/sim.e2e-spec.ts).
const SEEDS = Number(process.env.SIM_SEEDS ?? 50);
const STEPS = Number(process.env.SIM_STEPS ?? 8);

describe('the seeded whole-marketplace simulation', () => {
  it(`holds its invariants for ${SEEDS} seeds of ${STEPS} steps`, async () => {
    const failed: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const outcome = await runSeed({ seed, steps: STEPS });
      if (!outcome.ok) failed.push(`${outcome.command}\n  ${outcome.failures.join('\n  ')}\n  did: ${outcome.actions.join('; ')}`);
    }
    expect(failed).toEqual([]);
  }, 600_000);
});
