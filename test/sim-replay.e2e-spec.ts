import { runSeed, type SeedOutcome } from './sim/simulation.js';

// A replay of a seed (the printed `npm run sim -- --seed S --steps K`) hits the same requests with its
// faults: each is aimed at one order's or seller's requests (README, Simulation), so which client asks
// first no longer decides it. Exact for requests the scenario makes in turn (a refund is made inside its
// POST /orders/:id/refunds): what the sandbox recorded for the aimed faults is equal, run to run. Not for
// the workers' own requests (transfers, payouts, balance reads): those go to the aimed seller only, but
// how many came while the fault was set depends on how far the workers had got (README says so).
const STEPS = 12;
// seeds whose aimed refund faults fire (checked below, so a change of the draws cannot make this pass on
// nothing); seed 1 also runs a real worker process beside the in-process one, SIGKILLed and started again
const SEEDS = [1, 28];
const fired = (o: SeedOutcome) => o.aimedFaults.filter((line) => !line.endsWith('fired on nothing'));

describe('a replay of a seed', () => {
  it.each(SEEDS)(
    'seed %i hits the same refund requests with its aimed faults as the first run did',
    async (seed) => {
      const first = await runSeed({ seed, steps: STEPS });
      expect(first.failures).toEqual([]);
      expect(fired(first).length).toBeGreaterThan(0);
      const replay = await runSeed({ seed, steps: STEPS });
      expect(replay.failures).toEqual([]);
      expect(replay.aimedFaults).toEqual(first.aimedFaults);
    },
    120_000,
  );
});
