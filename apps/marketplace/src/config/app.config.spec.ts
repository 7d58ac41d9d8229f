import { loadAppConfig } from './app.config.js';
import { ConfigError } from './validate-env.js';

describe('AppConfig', () => {
  it('has defaults that make `npm start` work with no environment', () => {
    const config = loadAppConfig({});
    expect(config).toEqual(expect.objectContaining({ PORT: 3000, ROLE: 'all', LOG_LEVEL: 'info', MIGRATIONS_RUN: true, DATA_DIR: '.data' }));
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config).toEqual(expect.objectContaining({ DATABASE_POOL_SIZE: 10, DATABASE_POOL_TIMEOUT_MS: 5000 }));
    expect(config.servesHttp && config.runsWorkers).toBe(true);
    expect(config).toEqual(expect.objectContaining({ DATABASE_CONNECT_TIMEOUT_MS: 30_000, LOG_FORMAT: 'json', STRIPE_WEBHOOKS: 'on' }));
  });

  it.each(['abc', '70000', '-1', '3.5'])('says once what PORT must be (got %s)', (value) => {
    let error: unknown;
    try {
      loadAppConfig({ PORT: value });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([`PORT (got "${value}"): must be an integer from 0 to 65535 (0 picks a free one)`]);
  });

  it('PORT=0 is accepted (a free port is picked when the service binds)', () => {
    expect(loadAppConfig({ PORT: '0' }).PORT).toBe(0);
  });

  it('parses typed values', () => {
    const config = loadAppConfig({ PORT: '8080', ROLE: 'worker', MIGRATIONS_RUN: 'false', DATABASE_URL: 'postgres://u:p@db:5432/m', DATABASE_POOL_SIZE: '3', DATABASE_POOL_TIMEOUT_MS: '1500' });
    expect(config.PORT).toBe(8080);
    expect(config.DATABASE_POOL_SIZE).toBe(3);
    expect(config.DATABASE_POOL_TIMEOUT_MS).toBe(1500);
    expect(config.MIGRATIONS_RUN).toBe(false);
    expect(config.servesHttp).toBe(false);
    expect(config.runsWorkers).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['ROLE', 'scheduler'],
    ['LOG_LEVEL', 'loud'],
    ['MIGRATIONS_RUN', 'maybe'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_POOL_SIZE', 'ten'],
    ['DATABASE_POOL_TIMEOUT_MS', '10'],
    ['DATABASE_CONNECT_TIMEOUT_MS', 'soon'],
    ['DATABASE_CONNECT_TIMEOUT_MS', '-1'],
    ['LOG_FORMAT', 'fancy'],
    ['STRIPE_WEBHOOKS', 'no'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadAppConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringContaining(`${name} (got "${value}")`)]);
  });
});
