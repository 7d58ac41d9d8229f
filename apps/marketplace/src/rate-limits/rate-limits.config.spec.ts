import { configProblems, validateEnv } from '../config/validate-env.js';
import { RateLimitsConfig } from './rate-limits.config.js';

const problemsOf = (env: Record<string, string>) => configProblems(RateLimitsConfig, env);

describe('RateLimitsConfig', () => {
  it('defaults: on; 20 failed authentications per 5 min, 60 checkouts, 30 refunds, 10 payout requests a minute', () => {
    const c = validateEnv(RateLimitsConfig, {});
    expect([c.enabled, c.RATE_LIMIT_AUTH_FAILURES, c.RATE_LIMIT_AUTH_FAILURES_WINDOW_S]).toEqual([true, 20, 300]);
    expect([c.limitOf('checkout'), c.limitOf('refunds'), c.limitOf('payouts')]).toEqual([
      { limit: 60, ttl: 60_000 },
      { limit: 30, ttl: 60_000 },
      { limit: 10, ttl: 60_000 },
    ]);
  });

  it('each route reads its own settings; off turns them all off', () => {
    const c = validateEnv(RateLimitsConfig, { RATE_LIMIT_REFUNDS: '5', RATE_LIMIT_REFUNDS_WINDOW_S: '2', RATE_LIMITS: 'off' });
    expect([c.limitOf('refunds'), c.limitOf('checkout').limit, c.enabled]).toEqual([{ limit: 5, ttl: 2_000 }, 60, false]);
  });

  it('a malformed setting stops the boot, naming the variable', () => {
    expect(problemsOf({ RATE_LIMIT_CHECKOUTS: '0' })).toEqual([expect.stringMatching(/^RATE_LIMIT_CHECKOUTS \(got "0"\): must be an integer number of requests/)]);
    expect(problemsOf({ RATE_LIMIT_AUTH_FAILURES_WINDOW_S: '1.5' })).toEqual([expect.stringMatching(/^RATE_LIMIT_AUTH_FAILURES_WINDOW_S \(got "1.5"\): must be an integer number of seconds/)]);
    expect(problemsOf({ RATE_LIMITS: 'maybe' })).toEqual(['RATE_LIMITS (got "maybe"): must be on or off']);
  });
});
