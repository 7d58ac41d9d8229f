import { StripeConfig } from '@app/stripe';
import { FeesConfig } from '../fees/fees.config.js';
import { OnboardingConfig } from '../onboarding/onboarding.config.js';
import { PaymentsConfig } from '../payments/payments.config.js';
import { PayoutRequestsConfig } from '../payouts/payout-requests.config.js';
import { PayoutRiskConfig } from '../payouts/payout-risk.config.js';
import { PayoutsConfig } from '../payouts/payouts.config.js';
import { RateLimitsConfig } from '../rate-limits/rate-limits.config.js';
import { ReconciliationConfig } from '../reconciliation/reconciliation.config.js';
import { TransfersConfig } from '../transfers/transfers.config.js';
import { WebhooksConfig } from '../webhooks/webhooks.config.js';
import { AppConfig } from './app.config.js';
import { ConfigError, validateEnv } from './validate-env.js';

export interface Configuration {
  app: AppConfig;
  stripe: StripeConfig;
  webhooks: WebhooksConfig;
  onboarding: OnboardingConfig;
  fees: FeesConfig;
  payments: PaymentsConfig;
  transfers: TransfersConfig;
  payouts: PayoutsConfig;
  payoutRequests: PayoutRequestsConfig;
  payoutRisk: PayoutRiskConfig;
  reconciliation: ReconciliationConfig;
  rateLimits: RateLimitsConfig;
}

/**
 * Every config class validated together, so one boot reports every bad variable at once.
 * `service`: the checks that concern the running service only (not a CLI sharing its settings).
 */
export function loadConfiguration(env: NodeJS.ProcessEnv = process.env, { service = false }: { service?: boolean } = {}): Configuration {
  const problems: string[] = [];
  const load = <T extends object>(cls: new () => T): T | undefined => {
    try {
      return validateEnv(cls, env);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
      return undefined;
    }
  };
  const app = load(AppConfig);
  const stripe = load(StripeConfig);
  const webhooks = load(WebhooksConfig);
  const onboarding = load(OnboardingConfig);
  const fees = load(FeesConfig);
  const payments = load(PaymentsConfig);
  const transfers = load(TransfersConfig);
  const payouts = load(PayoutsConfig);
  const payoutRequests = load(PayoutRequestsConfig);
  const payoutRisk = load(PayoutRiskConfig);
  const reconciliation = load(ReconciliationConfig);
  const rateLimits = load(RateLimitsConfig);
  if (stripe) problems.push(...stripe.problems());
  if (transfers) problems.push(...transfers.problems());
  if (transfers && stripe) transfers.withGatewayTimings(stripe);
  if (service && app && stripe && onboarding) problems.push(...webhookSecretProblems(app, stripe, onboarding));
  if (problems.length || !app || !stripe || !webhooks || !onboarding || !fees || !payments || !transfers || !payouts || !payoutRequests || !payoutRisk || !reconciliation || !rateLimits)
    throw new ConfigError(problems);
  return { app, stripe, webhooks, onboarding, fees, payments, transfers, payouts, payoutRequests, payoutRisk, reconciliation, rateLimits };
}

/**
 * An api on a real Stripe key without signing secrets would start and then answer every delivery
 * 400: money state would never arrive. It needs both endpoints' secrets unless STRIPE_WEBHOOKS=off.
 */
export function webhookSecretProblems(app: AppConfig, stripe: StripeConfig, onboarding: OnboardingConfig): string[] {
  if (!app.servesHttp || !stripe.STRIPE_SECRET_KEY || app.STRIPE_WEBHOOKS === 'off') return [];
  // Accounts v2 announce onboarding progress with thin events only (an event destination)
  const events =
    onboarding.STRIPE_ACCOUNTS_API === 'v2' && !stripe.STRIPE_EVENT_DESTINATION_SECRETS.length
      ? [
          'STRIPE_EVENT_DESTINATION_SECRETS (thin events endpoint) not set: with STRIPE_ACCOUNTS_API=v2 sellers are onboarded by thin events from an event destination to /webhooks/stripe/events; set its signing secret, STRIPE_ACCOUNTS_API=v1, or STRIPE_WEBHOOKS=off',
        ]
      : [];
  const missing = [
    ...(stripe.STRIPE_WEBHOOK_SECRETS.length ? [] : ['STRIPE_WEBHOOK_SECRETS (platform endpoint)']),
    ...(stripe.STRIPE_CONNECT_WEBHOOK_SECRETS.length ? [] : ['STRIPE_CONNECT_WEBHOOK_SECRETS (Connect endpoint)']),
  ];
  if (!missing.length) return events;
  return [
    `${missing.join(' and ')} not set: with STRIPE_SECRET_KEY the api verifies Stripe's webhooks with them (webhooks are the source of truth for money state); set them, or STRIPE_WEBHOOKS=off to run without webhooks`,
    ...events,
  ];
}

export const SANDBOX_DEFAULTS = {
  port: 12111,
  platformSecret: 'whsec_sandbox_platform_local_only',
  connectSecret: 'whsec_sandbox_connect_local_only',
  eventsSecret: 'whsec_sandbox_events_local_only',
};

export interface SandboxLaunch {
  port: number;
  /** Interface it listens on (SANDBOX_HOST, default 127.0.0.1). */
  host: string;
  /** Where this service reaches it (STRIPE_API_BASE). */
  url: string;
  /** Base URL of its hosted pages as a browser reaches them (SANDBOX_PUBLIC_URL), if not http://host:port. */
  publicUrl?: string;
  platformSecret: string;
  connectSecret: string;
  /** Signs the thin events its event destination delivers to /webhooks/stripe/events. */
  eventsSecret: string;
}

/**
 * `npm start` with no Stripe settings runs offline against the Stripe sandbox: it points
 * STRIPE_API_BASE at a sandbox on SANDBOX_PORT and uses the sandbox's local webhook secrets.
 * Returns the env to validate and, when a sandbox must be started, how.
 */
export function withSandboxDefaults(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; sandbox: SandboxLaunch | null } {
  if (env.STRIPE_SECRET_KEY || env.STRIPE_API_BASE || env.STRIPE_SANDBOX === 'off') return { env, sandbox: null };
  const rawPort = env.SANDBOX_PORT ?? String(SANDBOX_DEFAULTS.port);
  if (!/^\d{1,5}$/.test(rawPort) || Number(rawPort) > 65535) throw new ConfigError([`SANDBOX_PORT (got "${rawPort}"): must be a port number`]);
  const port = Number.parseInt(rawPort, 10);
  if (port === 0) throw new ConfigError(['SANDBOX_PORT (got "0"): the sandbox beside the service needs a fixed port (the service is configured with it before the sandbox starts)']);
  const host = env.SANDBOX_HOST?.trim() || '127.0.0.1';
  if (!/^[\w.:-]+$/.test(host)) throw new ConfigError([`SANDBOX_HOST (got "${env.SANDBOX_HOST}"): must be a host name or IP address`]);
  const publicUrl = env.SANDBOX_PUBLIC_URL || undefined;
  if (publicUrl && !/^https?:\/\/[^/\s]+$/.test(publicUrl))
    throw new ConfigError([`SANDBOX_PUBLIC_URL (got "${publicUrl}"): must be an http(s) origin without a path, e.g. http://192.168.1.20:12111`]);
  // the service reaches it on loopback when it listens on every interface
  const reachAt = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const platformSecret = env.STRIPE_WEBHOOK_SECRETS?.split(',')[0]?.trim() || SANDBOX_DEFAULTS.platformSecret;
  const connectSecret = env.STRIPE_CONNECT_WEBHOOK_SECRETS?.split(',')[0]?.trim() || SANDBOX_DEFAULTS.connectSecret;
  const eventsSecret = env.STRIPE_EVENT_DESTINATION_SECRETS?.split(',')[0]?.trim() || SANDBOX_DEFAULTS.eventsSecret;
  return {
    env: {
      ...env,
      STRIPE_API_BASE: `http://${reachAt}:${port}`,
      STRIPE_WEBHOOK_SECRETS: env.STRIPE_WEBHOOK_SECRETS || platformSecret,
      STRIPE_CONNECT_WEBHOOK_SECRETS: env.STRIPE_CONNECT_WEBHOOK_SECRETS || connectSecret,
      STRIPE_EVENT_DESTINATION_SECRETS: env.STRIPE_EVENT_DESTINATION_SECRETS || eventsSecret,
    },
    sandbox: { port, host, publicUrl, url: `http://${reachAt}:${port}`, platformSecret, connectSecret, eventsSecret },
  };
}
