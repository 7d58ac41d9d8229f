import { loadConfiguration, withSandboxDefaults } from './configuration.js';
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

const REAL_KEY = { STRIPE_SECRET_KEY: 'sk_test_123' };
const SECRETS = { STRIPE_WEBHOOK_SECRETS: 'whsec_platform', STRIPE_CONNECT_WEBHOOK_SECRETS: 'whsec_connect' };

describe('the service with a real Stripe key', () => {
  it.each(['api', 'all'])('refuses ROLE=%s without webhook secrets, naming both variables and the way out', (role) => {
    const problems = problemsOf(() => loadConfiguration({ ...REAL_KEY, ROLE: role }, { service: true }));
    expect(problems).toEqual([expect.stringContaining('STRIPE_WEBHOOK_SECRETS (platform endpoint) and STRIPE_CONNECT_WEBHOOK_SECRETS (Connect endpoint) not set')]);
    expect(problems[0]).toContain('STRIPE_WEBHOOKS=off');
  });

  it('names the one that is missing', () => {
    expect(problemsOf(() => loadConfiguration({ ...REAL_KEY, STRIPE_WEBHOOK_SECRETS: 'whsec_p' }, { service: true }))).toEqual([
      expect.stringMatching(/^STRIPE_CONNECT_WEBHOOK_SECRETS \(Connect endpoint\) not set/),
    ]);
    expect(problemsOf(() => loadConfiguration({ ...REAL_KEY, STRIPE_CONNECT_WEBHOOK_SECRETS: 'whsec_c' }, { service: true }))).toEqual([
      expect.stringMatching(/^STRIPE_WEBHOOK_SECRETS \(platform endpoint\) not set/),
    ]);
  });

  it('starts with both secrets, with STRIPE_WEBHOOKS=off, as a worker, or as a tool (CLI) sharing the settings', () => {
    expect(problemsOf(() => loadConfiguration({ ...REAL_KEY, ...SECRETS }, { service: true }))).toEqual([]);
    expect(problemsOf(() => loadConfiguration({ ...REAL_KEY, STRIPE_WEBHOOKS: 'off' }, { service: true }))).toEqual([]);
    expect(problemsOf(() => loadConfiguration({ ...REAL_KEY, ROLE: 'worker' }, { service: true }))).toEqual([]);
    expect(problemsOf(() => loadConfiguration({ ...REAL_KEY, ROLE: 'api' }))).toEqual([]);
  });

  it('the offline default (the sandbox) has its own secrets', () => {
    expect(problemsOf(() => loadConfiguration(withSandboxDefaults({}).env, { service: true }))).toEqual([]);
  });
});

describe('withSandboxDefaults', () => {
  it('passes SANDBOX_HOST and SANDBOX_PUBLIC_URL to the sandbox, reaching it on loopback when it listens everywhere', () => {
    const { env, sandbox } = withSandboxDefaults({ SANDBOX_PORT: '12999', SANDBOX_HOST: '0.0.0.0', SANDBOX_PUBLIC_URL: 'http://192.168.1.20:12999' });
    expect(sandbox).toEqual(expect.objectContaining({ port: 12999, host: '0.0.0.0', publicUrl: 'http://192.168.1.20:12999', url: 'http://127.0.0.1:12999' }));
    expect(env.STRIPE_API_BASE).toBe('http://127.0.0.1:12999');
  });

  it("gives the sandbox's event destination (thin events) its own secret, or the first of STRIPE_EVENT_DESTINATION_SECRETS", () => {
    const offline = withSandboxDefaults({});
    expect(offline.sandbox?.eventsSecret).toMatch(/^whsec_/);
    expect(offline.sandbox?.eventsSecret).not.toBe(offline.sandbox?.platformSecret);
    expect(offline.env.STRIPE_EVENT_DESTINATION_SECRETS).toBe(offline.sandbox?.eventsSecret);
    const mine = withSandboxDefaults({ STRIPE_EVENT_DESTINATION_SECRETS: 'whsec_new,whsec_old' });
    expect(mine.sandbox?.eventsSecret).toBe('whsec_new');
    expect(mine.env.STRIPE_EVENT_DESTINATION_SECRETS).toBe('whsec_new,whsec_old');
  });

  it('reaches a sandbox on one interface at that interface', () => {
    const { env, sandbox } = withSandboxDefaults({ SANDBOX_HOST: '10.0.0.5' });
    expect(sandbox?.url).toBe('http://10.0.0.5:12111');
    expect(env.STRIPE_API_BASE).toBe('http://10.0.0.5:12111');
  });

  it.each([
    ['SANDBOX_PUBLIC_URL', 'sandbox.local'],
    ['SANDBOX_PUBLIC_URL', 'http://sandbox.local/path'],
    ['SANDBOX_PORT', '0'],
    ['SANDBOX_PORT', 'x'],
    ['SANDBOX_HOST', 'a b'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(problemsOf(() => withSandboxDefaults({ [name]: value }))).toEqual([expect.stringContaining(`${name} (got "${value}")`)]);
  });
});
