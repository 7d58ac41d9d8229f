import { runSeed } from './sim/simulation.js';

const SEEDS = Number(process.env.SIM_SEEDS ?? 3);
const STEPS = Number(process.env.SIM_STEPS ?? 8);

describe('the seeded whole-marketplace simulation', () => {
  it(`holds its invariants for ${SEEDS} seeds of ${STEPS} steps`, async () => {
    const failed: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const started = Date.now();
      const outcome = await runSeed({ seed, steps: STEPS });
      console.log(`seed ${seed} ${outcome.ok ? 'ok' : 'FAILED'} in ${Date.now() - started} ms\n  ${outcome.actions.join('\n  ')}\n  ${outcome.failures.join('\n  ')}`);
      if (!outcome.ok) failed.push(`${outcome.command}\n  ${outcome.failures.join('\n  ')}`);
    }
    expect(failed).toEqual([]);
  }, 600_000);
});
