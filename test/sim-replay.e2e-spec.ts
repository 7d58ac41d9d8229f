import { runSeed, type SeedOutcome } from './sim/simulation.js';

// A replay of a seed (the printed `npm run sim -- --seed S --steps K`) hits the same requests with its
// faults: each is aimed at one order's or seller's requests (README, Simulation), so which client asks
// first no longer decides it. Exact for requests the scenario makes in turn (a refund is made inside its
// POST /orders/:id/refunds): what the sandbox recorded for the aimed refund faults is equal, run to run.
// Not for the workers' own requests (transfers, payouts, balance reads): those go to the aimed seller only,
// but how many came while the fault was set depends on how far the workers had got (README says so).
const STEPS = 12;
const refundFaultsFired = (o: SeedOutcome) => o.aimedFaults.filter((line) => line.includes(' on /v1/refunds ') && !line.endsWith('fired on nothing'));
const refundFaults = (o: SeedOutcome) => o.aimedFaults.filter((line) => line.includes(' on /v1/refunds '));

describe('a replay of a seed', () => {
  it('hits the same refund requests with its aimed faults as the first run did', async () => {
    // the first two seeds whose aimed refund faults fire (searched, not listed: a change of the draws moves them)
    const firsts: SeedOutcome[] = [];
    for (let seed = 1; seed <= 40 && firsts.length < 2; seed++) {
      const outcome = await runSeed({ seed, steps: STEPS });
      expect(outcome.failures).toEqual([]);
      if (refundFaultsFired(outcome).length) firsts.push(outcome);
    }
    expect(firsts.length).toBeGreaterThan(0);
    for (const first of firsts) {
      const replay = await runSeed({ seed: first.seed, steps: STEPS });
      expect(replay.failures).toEqual([]);
      expect({ seed: first.seed, faults: refundFaults(replay) }).toEqual({ seed: first.seed, faults: refundFaults(first) });
    }
  }, 420_000);
});
