import { isRandomSeed } from './core/random.js';
import type { EventDestinationConfig, SandboxOptions, WebhookEndpointConfig } from './index.js';

export class ConfigError extends Error {}

/** Reads SANDBOX_* variables; a bad value names its variable. */
export function configFromEnv(env: NodeJS.ProcessEnv): SandboxOptions {
  const portText = env.SANDBOX_PORT ?? '12111';
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new ConfigError(`SANDBOX_PORT must be an integer between 0 and 65535, got "${portText}"`);
  const host = env.SANDBOX_HOST ?? '127.0.0.1';
  if (!host.trim()) throw new ConfigError('SANDBOX_HOST must not be empty');
  const options: SandboxOptions = { port: Number(portText), host };
  if (env.SANDBOX_WEBHOOK_ENDPOINTS) options.webhookEndpoints = parseEndpoints(env.SANDBOX_WEBHOOK_ENDPOINTS);
  if (env.SANDBOX_EVENT_DESTINATIONS) options.eventDestinations = parseDestinations(env.SANDBOX_EVENT_DESTINATIONS);
  if (env.SANDBOX_STATE_FILE) options.stateFile = env.SANDBOX_STATE_FILE;
  if (env.SANDBOX_HOLD_STATE) {
    if (env.SANDBOX_HOLD_STATE !== 'until-started') throw new ConfigError('SANDBOX_HOLD_STATE must be until-started (or unset)');
    options.holdStateWrites = true;
  }
  if (env.SANDBOX_RANDOM_SEED !== undefined && env.SANDBOX_RANDOM_SEED !== '') {
    const seed = Number(env.SANDBOX_RANDOM_SEED);
    if (!/^\d+$/.test(env.SANDBOX_RANDOM_SEED) || !isRandomSeed(seed))
      throw new ConfigError(`SANDBOX_RANDOM_SEED must be an integer from 0 to 4294967295 (or unset), got "${env.SANDBOX_RANDOM_SEED}"`);
    options.randomSeed = seed;
  }
  if (env.SANDBOX_PUBLIC_URL) {
    if (!/^https?:\/\/[^/]+$/.test(env.SANDBOX_PUBLIC_URL)) throw new ConfigError('SANDBOX_PUBLIC_URL must be an http(s) origin without a path, e.g. http://localhost:12111');
    options.publicUrl = env.SANDBOX_PUBLIC_URL;
  }
  return options;
}

function parseEndpoints(text: string): WebhookEndpointConfig[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError('SANDBOX_WEBHOOK_ENDPOINTS must be a JSON array of {url, secret?, connect?, enabledEvents?}');
  }
  if (!Array.isArray(parsed)) throw new ConfigError('SANDBOX_WEBHOOK_ENDPOINTS must be a JSON array');
  return parsed.map((e: unknown, i): WebhookEndpointConfig => {
    const bad = (why: string) => new ConfigError(`SANDBOX_WEBHOOK_ENDPOINTS[${i}]: ${why}`);
    if (!e || typeof e !== 'object') throw bad('must be an object');
    const o = e as Record<string, unknown>;
    if (typeof o.url !== 'string' || !/^https?:\/\//.test(o.url)) throw bad('url must be an http(s) URL');
    if (o.secret !== undefined && (typeof o.secret !== 'string' || !o.secret.startsWith('whsec_'))) throw bad('secret must be a string starting with whsec_');
    if (o.connect !== undefined && typeof o.connect !== 'boolean') throw bad('connect must be a boolean');
    if (o.enabledEvents !== undefined && (!Array.isArray(o.enabledEvents) || o.enabledEvents.some((x) => typeof x !== 'string'))) throw bad('enabledEvents must be an array of strings');
    return { url: o.url, secret: o.secret as string | undefined, connect: o.connect as boolean | undefined, enabledEvents: o.enabledEvents as string[] | undefined };
  });
}

function parseDestinations(text: string): EventDestinationConfig[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError('SANDBOX_EVENT_DESTINATIONS must be a JSON array of {url, secret?, enabledEvents?}');
  }
  if (!Array.isArray(parsed)) throw new ConfigError('SANDBOX_EVENT_DESTINATIONS must be a JSON array');
  return parsed.map((e: unknown, i): EventDestinationConfig => {
    const bad = (why: string) => new ConfigError(`SANDBOX_EVENT_DESTINATIONS[${i}]: ${why}`);
    if (!e || typeof e !== 'object') throw bad('must be an object');
    const o = e as Record<string, unknown>;
    if (typeof o.url !== 'string' || !/^https?:\/\//.test(o.url)) throw bad('url must be an http(s) URL');
    if (o.secret !== undefined && (typeof o.secret !== 'string' || !o.secret.startsWith('whsec_'))) throw bad('secret must be a string starting with whsec_');
    if (o.enabledEvents !== undefined && (!Array.isArray(o.enabledEvents) || o.enabledEvents.some((x) => typeof x !== 'string'))) throw bad('enabledEvents must be an array of strings');
    return { url: o.url, secret: o.secret as string | undefined, enabledEvents: o.enabledEvents as string[] | undefined };
  });
}
