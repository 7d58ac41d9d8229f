// Review 9: a secret the operator got slightly wrong (a stray character, two secrets joined by the
// wrong separator) is refused at boot, and the refusal, which is logged, names the variable without
// showing its value.
import { loadConfiguration } from './configuration.js';
import { ConfigError } from './validate-env.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

const GOOD = {
  STRIPE_SECRET_KEY: 'sk_test_123',
  STRIPE_WEBHOOK_SECRETS: 'whsec_platform',
  STRIPE_CONNECT_WEBHOOK_SECRETS: 'whsec_connect',
  STRIPE_EVENT_DESTINATION_SECRETS: 'whsec_events',
};

describe('a malformed secret is refused at boot without being shown', () => {
  it.each([
    ['STRIPE_EVENT_DESTINATION_SECRETS', 'whsec_Thin3ventsS3cret,Thin3ventsN0Prefix'],
    ['STRIPE_WEBHOOK_SECRETS', 'whsec_Pl4tformS3cret,Pl4tformN0Prefix'],
    ['STRIPE_CONNECT_WEBHOOK_SECRETS', 'C0nnectN0Prefix'],
    ['STRIPE_SECRET_KEY', 'sk_live_L1veKey-W1thADash'],
  ])('%s', (name, value) => {
    const problems = problemsOf(() => loadConfiguration({ ...GOOD, [name]: value }, { service: true }));
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${name}\\b.*must`))]);
    for (const part of value.split(',')) expect(problems.join('\n')).not.toContain(part.replace(/^whsec_/, ''));
  });
});
