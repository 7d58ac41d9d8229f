import os from 'node:os';
import { Expose, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { validateEnv } from './validate-env.js';
import { envInt, envBool } from './env-transforms.js';

const PORT_RANGE = 'must be an integer from 0 to 65535 (0 picks a free one)';

export const ROLES = ['api', 'worker', 'all'] as const;
export type ProcessRole = (typeof ROLES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Process-level settings. Every property is the environment variable of the same name. */
export class AppConfig {
  @Expose()
  @Transform(envInt)
  @IsInt({ message: PORT_RANGE })
  @Min(0, { message: PORT_RANGE })
  @Max(65535, { message: PORT_RANGE })
  PORT: number = 3000;

  @Expose()
  @IsString()
  @Matches(/^(0\.0\.0\.0|127\.0\.0\.1|localhost|::|::1|[\w.-]+)$/, { message: 'must be a host name or IP address' })
  HOST: string = '0.0.0.0';

  @Expose()
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// connection URL' })
  DATABASE_URL?: string;

  /** Connections this process keeps to PostgreSQL (HTTP requests and workers share them). */
  @Expose()
  @Transform(envInt)
  @IsInt({ message: 'must be an integer number of connections' })
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE: number = 10;

  /** How long a request waits for a free connection before it is answered 503 SERVICE.BUSY. */
  @Expose()
  @Transform(envInt)
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(50)
  @Max(600_000)
  DATABASE_POOL_TIMEOUT_MS: number = 5_000;

  /** How long the boot keeps retrying an unreachable DATABASE_URL (the database may still be starting); 0 tries once. */
  @Expose()
  @Transform(envInt)
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(0)
  @Max(600_000)
  DATABASE_CONNECT_TIMEOUT_MS: number = 30_000;

  @Expose()
  @IsIn(ROLES, { message: `must be one of ${ROLES.join(', ')}` })
  ROLE: ProcessRole = 'all';

  @Expose()
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  /** json (default, one object a line) or pretty (one readable line each, for a terminal). */
  @Expose()
  @IsIn(LOG_FORMATS, { message: `must be one of ${LOG_FORMATS.join(', ')}` })
  LOG_FORMAT: LogFormat = 'json';

  /**
   * Webhooks are the source of truth for money state, so an api with a real Stripe key needs both
   * endpoints' signing secrets; `off` says explicitly that this deployment receives none.
   */
  @Expose()
  @IsIn(['on', 'off'], { message: 'must be on or off' })
  STRIPE_WEBHOOKS: 'on' | 'off' = 'on';

  @Expose()
  @Transform(envBool)
  @IsBoolean({ message: 'must be true or false' })
  MIGRATIONS_RUN: boolean = true;

  /** Where the embedded PostgreSQL keeps its cluster when DATABASE_URL is not set. */
  @Expose()
  @IsString()
  DATA_DIR: string = '.data';

  /** Public base URL of this service (links handed to browsers). Defaults to http://localhost:PORT. */
  @Expose()
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL' })
  PUBLIC_URL?: string;

  /** Names this instance in logs and in PostgreSQL's pg_stat_activity (application_name). */
  @Expose()
  @Matches(/^[\w.-]{1,40}$/, { message: 'must be 1-40 letters, digits, dots, dashes or underscores' })
  INSTANCE_NAME: string = `${os.hostname().slice(0, 30)}-${process.pid}`;

  /** How often the worker books funds whose available_on has passed (ms; 0 disables; balance.available events also do it). */
  @Expose()
  @Transform(envInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  LEDGER_AVAILABILITY_SWEEP_MS: number = 60_000;

  /**
   * How long an Idempotency-Key claim of a request that recorded nothing yet is held before a retry
   * with the key may take it over (the request's process died). Longer than a request can last.
   */
  @Expose()
  @Transform(envInt)
  @IsInt({ message: 'must be an integer number of seconds' })
  @Min(1)
  @Max(86_400)
  IDEMPOTENCY_IN_FLIGHT_LEASE_SECONDS: number = 600;

  get publicUrl(): string {
    return (this.PUBLIC_URL ?? `http://localhost:${this.PORT}`).replace(/\/$/, '');
  }

  get servesHttp(): boolean {
    return this.ROLE === 'api' || this.ROLE === 'all';
  }

  get runsWorkers(): boolean {
    return this.ROLE === 'worker' || this.ROLE === 'all';
  }
}

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return validateEnv(AppConfig, env);
}
