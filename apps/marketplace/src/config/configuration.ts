import { StripeConfig } from '@app/stripe';
import { FeesConfig } from '../fees/fees.config.js';
import { OnboardingConfig } from '../onboarding/onboarding.config.js';
import { PaymentsConfig } from '../payments/payments.config.js';
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
}

/** Every config class validated together, so one boot reports every bad variable at once. */
export function loadConfiguration(env: NodeJS.ProcessEnv = process.env): Configuration {
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
  if (stripe) problems.push(...stripe.problems());
  if (problems.length || !app || !stripe || !webhooks || !onboarding || !fees || !payments || !transfers) throw new ConfigError(problems);
  return { app, stripe, webhooks, onboarding, fees, payments, transfers };
}

export const SANDBOX_DEFAULTS = {
  port: 12111,
  platformSecret: 'whsec_sandbox_platform_local_only',
  connectSecret: 'whsec_sandbox_connect_local_only',
};

export interface SandboxLaunch {
  port: number;
  platformSecret: string;
  connectSecret: string;
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
  const platformSecret = env.STRIPE_WEBHOOK_SECRETS?.split(',')[0]?.trim() || SANDBOX_DEFAULTS.platformSecret;
  const connectSecret = env.STRIPE_CONNECT_WEBHOOK_SECRETS?.split(',')[0]?.trim() || SANDBOX_DEFAULTS.connectSecret;
  return {
    env: {
      ...env,
      STRIPE_API_BASE: `http://127.0.0.1:${port}`,
      STRIPE_WEBHOOK_SECRETS: env.STRIPE_WEBHOOK_SECRETS || platformSecret,
      STRIPE_CONNECT_WEBHOOK_SECRETS: env.STRIPE_CONNECT_WEBHOOK_SECRETS || connectSecret,
    },
    sandbox: { port, platformSecret, connectSecret },
  };
}
