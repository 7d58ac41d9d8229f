// docker-compose.yml and the Dockerfile, read the way Docker reads them (no Docker engine runs here):
// restart policies, health checks that mean what they say, every variable one the code reads,
// and the sandbox's state volume a directory the image gives to the user it runs as.
import { StripeConfig } from '@app/stripe';
import { TransformationType } from 'class-transformer';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configFromEnv } from '../apps/stripe-sandbox/src/config.js';
import { AppConfig } from '../apps/marketplace/src/config/app.config.js';
import { loadConfiguration } from '../apps/marketplace/src/config/configuration.js';
import { FeesConfig } from '../apps/marketplace/src/fees/fees.config.js';
import { OnboardingConfig } from '../apps/marketplace/src/onboarding/onboarding.config.js';
import { PaymentsConfig } from '../apps/marketplace/src/payments/payments.config.js';
import { WebhooksConfig } from '../apps/marketplace/src/webhooks/webhooks.config.js';
import { ROOT } from './support/process.js';

interface Service {
  image?: string;
  build?: string;
  restart?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = Object.entries(compose.services);
const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
// the stage the image runs: everything after the last FROM
const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
const runsSandbox = (s: Service) => (s.command ?? []).some((part) => part.includes('stripe-sandbox/src/main.js'));

// class-transformer's own registry of @Expose()d properties (its package ships no typings for this path)
const { defaultMetadataStorage } = (await import('class-transformer/cjs/storage.js' as string)) as { defaultMetadataStorage: MetadataStorage };
// What the marketplace reads: every @Expose()d property of its config classes (validateEnv keeps only those).
const marketplaceVariables = new Set(
  [AppConfig, StripeConfig, WebhooksConfig, OnboardingConfig, FeesConfig, PaymentsConfig].flatMap((cls) => defaultMetadataStorage.getExposedProperties(cls, TransformationType.PLAIN_TO_CLASS)),
);
// What the sandbox reads: the variables configFromEnv looks at.
const sandboxVariables = new Set<string>();
configFromEnv(
  new Proxy(
    {},
    {
      get: (_, key) => {
        if (typeof key === 'string') sandboxVariables.add(key);
        return undefined;
      },
    },
  ),
);
// the postgres image's documented variables
const postgresVariables = new Set(['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB', 'POSTGRES_INITDB_ARGS', 'POSTGRES_INITDB_WALDIR', 'POSTGRES_HOST_AUTH_METHOD', 'PGDATA']);

describe('docker-compose.yml', () => {
  it('has the four services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['marketplace-api', 'marketplace-worker', 'postgres', 'stripe-sandbox']);
  });

  it.each(services)('%s restarts after a crash or a host reboot', (_, service) => {
    expect(['always', 'unless-stopped', 'on-failure']).toContain(service.restart);
  });

  it("checks PostgreSQL's health over TCP, not the unix socket the image's init server answers on", () => {
    const test = compose.services.postgres!.healthcheck!.test!.join(' ');
    expect(test).toMatch(/pg_isready -h 127\.0\.0\.1 -U marketplace -d marketplace/);
  });

  it.each(services)('%s sets only variables its program reads, and values it accepts', (_, service) => {
    const env = service.environment ?? {};
    const known = service.image?.startsWith('postgres:') ? postgresVariables : runsSandbox(service) ? sandboxVariables : marketplaceVariables;
    expect(known.size).toBeGreaterThan(3);
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    if (service.image) return;
    // the same validation the process runs at boot
    if (runsSandbox(service)) expect(() => configFromEnv(env)).not.toThrow();
    else expect(() => loadConfiguration(env)).not.toThrow();
  });

  it('waits only on services that have a health check (compose or the image HEALTHCHECK)', () => {
    expect(finalStage).toMatch(/\nHEALTHCHECK .*\/health\/ready/);
    for (const [name, service] of services) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = compose.services[dependency];
        expect({ name, dependency, exists: Boolean(target) }).toEqual({ name, dependency, exists: true });
        if (condition !== 'service_healthy') continue;
        const hasCheck = Boolean(target!.healthcheck?.test) || (Boolean(target!.build) && !target!.healthcheck?.disable);
        expect({ name, dependency, hasCheck }).toEqual({ name, dependency, hasCheck: true });
      }
    }
    expect(compose.services['marketplace-worker']!.depends_on?.['marketplace-api']?.condition).toBe('service_healthy');
  });

  it('wires the services to each other: database, Stripe API base, webhook endpoints and their secrets, migrations', () => {
    const api = compose.services['marketplace-api']!.environment!;
    const worker = compose.services['marketplace-worker']!.environment!;
    const sandbox = compose.services['stripe-sandbox']!.environment!;
    const pg = compose.services.postgres!.environment!;
    const database = `postgres://${pg.POSTGRES_USER}:${pg.POSTGRES_PASSWORD}@postgres:5432/${pg.POSTGRES_DB}`;
    expect([api.DATABASE_URL, worker.DATABASE_URL]).toEqual([database, database]);
    expect(api.STRIPE_API_BASE).toBe(`http://stripe-sandbox:${sandbox.SANDBOX_PORT}`);
    expect(worker.STRIPE_API_BASE).toBe(api.STRIPE_API_BASE);
    // one process applies migrations, and the worker waits for it to be healthy
    expect([api.MIGRATIONS_RUN, worker.MIGRATIONS_RUN]).toEqual(['true', 'false']);
    expect(api.PUBLIC_URL).toBe(`http://localhost:${api.PORT}`);
    expect(compose.services['marketplace-api']!.volumes ?? []).toEqual([]);
    const endpoints = JSON.parse(sandbox.SANDBOX_WEBHOOK_ENDPOINTS!) as { url: string; secret: string; connect: boolean }[];
    expect(endpoints).toEqual([
      { url: `http://marketplace-api:${api.PORT}/webhooks/stripe`, secret: api.STRIPE_WEBHOOK_SECRETS, connect: false },
      { url: `http://marketplace-api:${api.PORT}/webhooks/stripe/connect`, secret: api.STRIPE_CONNECT_WEBHOOK_SECRETS, connect: true },
    ]);
    // thin (v2) events: an event destination with its own secret
    expect(JSON.parse(sandbox.SANDBOX_EVENT_DESTINATIONS!)).toEqual([{ url: `http://marketplace-api:${api.PORT}/webhooks/stripe/events`, secret: api.STRIPE_EVENT_DESTINATION_SECRETS }]);
    expect(api.STRIPE_EVENT_DESTINATION_SECRETS).toMatch(/^whsec_/);
    expect(api.STRIPE_EVENT_DESTINATION_SECRETS).not.toBe(api.STRIPE_WEBHOOK_SECRETS);
  });

  it("mounts the sandbox's state volume on a directory the image creates owned by node, before USER node", () => {
    const sandbox = compose.services['stripe-sandbox']!;
    const mount = (sandbox.volumes ?? []).map((v) => v.split(':')).find(([source]) => source === 'sandbox-state');
    expect(mount).toBeDefined();
    const target = mount![1]!;
    expect(path.posix.dirname(sandbox.environment!.SANDBOX_STATE_FILE!)).toBe(target);
    const userAt = finalStage.indexOf('\nUSER node');
    expect(userAt).toBeGreaterThan(0);
    const beforeUser = finalStage.slice(0, userAt);
    const created = [...beforeUser.matchAll(/\nRUN (.*)/g)].some(([, run]) => {
      const commands = run!.split('&&').map((c) => c.trim());
      return commands.some((c) => new RegExp(`^mkdir -p (.* )?${target}( |$)`).test(c)) && commands.some((c) => new RegExp(`^chown (-R )?node:node (.* )?${target}( |$)`).test(c));
    });
    expect({ target, created }).toEqual({ target, created: true });
  });
});
