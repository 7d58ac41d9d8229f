import { ConfigError, configFromEnv } from './config.js';

describe('sandbox configuration: SANDBOX_RANDOM_SEED', () => {
  it('seeds the sandbox randomness when set, and leaves it unseeded when unset or empty', () => {
    expect(configFromEnv({ SANDBOX_RANDOM_SEED: '42' }).randomSeed).toBe(42);
    expect(configFromEnv({ SANDBOX_RANDOM_SEED: '4294967295' }).randomSeed).toBe(4294967295);
    expect(configFromEnv({}).randomSeed).toBeUndefined();
    expect(configFromEnv({ SANDBOX_RANDOM_SEED: '' }).randomSeed).toBeUndefined();
  });

  it.each(['-1', '1.5', 'abc', '4294967296', ' 7'])('refuses %j, naming the variable', (value) => {
    expect(() => configFromEnv({ SANDBOX_RANDOM_SEED: value })).toThrow(ConfigError);
    expect(() => configFromEnv({ SANDBOX_RANDOM_SEED: value })).toThrow(/SANDBOX_RANDOM_SEED/);
  });
});
