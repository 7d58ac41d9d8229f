import { configProblems, validateEnv } from '../config/validate-env.js';
import { PayoutRequestsConfig } from './payout-requests.config.js';

const problemsOf = (env: Record<string, string>) => configProblems(PayoutRequestsConfig, env);

describe('PayoutRequestsConfig', () => {
  it('defaults: daily at 00:00 UTC, 1000 minor units everywhere, two admins above 100000', () => {
    const c = validateEnv(PayoutRequestsConfig, {});
    expect([c.PAYOUT_REQUESTS_CRON, c.minimumFor('usd'), c.minimumFor('JPY'), c.approvalsRequiredFor(100_000n), c.approvalsRequiredFor(100_001n)]).toEqual(['0 0 * * *', 1_000n, 1_000n, 1, 2]);
  });

  it('per-currency minimums override the default', () => {
    const c = validateEnv(PayoutRequestsConfig, { PAYOUT_MINIMUM: '2000', PAYOUT_MINIMUMS: 'jpy:1000, USD:500' });
    expect([c.minimumFor('JPY'), c.minimumFor('usd'), c.minimumFor('EUR')]).toEqual([1_000n, 500n, 2_000n]);
  });

  it('a malformed setting stops the boot, naming the variable', () => {
    expect(problemsOf({ PAYOUT_REQUESTS_CRON: 'every day' })).toEqual([expect.stringMatching(/^PAYOUT_REQUESTS_CRON \(got "every day"\): must be a cron expression/)]);
    expect(problemsOf({ PAYOUT_MINIMUMS: 'usd=500' })).toEqual([expect.stringMatching(/^PAYOUT_MINIMUMS \(got "usd=500"\)/)]);
    expect(problemsOf({ PAYOUT_MINIMUM: '0' })).toEqual([expect.stringMatching(/^PAYOUT_MINIMUM/)]);
    expect(problemsOf({ PAYOUT_TWO_PERSON_THRESHOLD: 'lots' })).toEqual([expect.stringMatching(/^PAYOUT_TWO_PERSON_THRESHOLD/)]);
  });
});
