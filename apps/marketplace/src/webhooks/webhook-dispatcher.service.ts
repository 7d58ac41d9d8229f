import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { StripeEventEnvelope } from '@app/stripe';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ROOT_LOGGER } from '../common/logger.js';
import { StripeEventHandlerRegistry } from './stripe-event-handler.registry.js';
import { WebhooksConfig } from './webhooks.config.js';

interface ClaimedRow {
  id: string;
  type: string;
  account: string | null;
  livemode: boolean;
  created: Date;
  api_version: string | null;
  object_id: string | null;
  payload: Record<string, unknown>;
  attempts: number;
}

class LeaseLostError extends Error {}

/**
 * Works due inbox rows: claim a batch (FOR UPDATE SKIP LOCKED, with a lease), run each event's
 * handlers, and commit their writes together with the `processed` mark. Failures back off
 * exponentially and end `dead` after WEBHOOK_MAX_ATTEMPTS.
 */
@Injectable()
export class WebhookDispatcherService {
  private readonly logger: Logger;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly registry: StripeEventHandlerRegistry,
    private readonly config: WebhooksConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'webhook-dispatcher' });
  }

  /** Claims and works one batch; returns how many events it worked. */
  async runOnce(): Promise<number> {
    const lease = randomUUID();
    // UPDATE ... RETURNING answers [rows, affected] through TypeORM's query()
    const [rows]: [ClaimedRow[], number] = await this.db.query(
      `UPDATE webhook_events SET status = 'processing', attempts = attempts + 1, lease_token = $1,
              next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
        WHERE id IN (SELECT id FROM webhook_events
                      WHERE status IN ('pending', 'processing') AND next_attempt_at <= now()
                      ORDER BY next_attempt_at
                      LIMIT $3
                      FOR UPDATE SKIP LOCKED)
        RETURNING id, type, account, livemode, created, api_version, object_id, payload, attempts`,
      [lease, this.config.WEBHOOK_LEASE_MS, this.config.WEBHOOK_BATCH_SIZE],
    );
    let next = 0;
    const worker = async () => {
      while (next < rows.length) await this.work(rows[next++]!, lease);
    };
    await Promise.all(Array.from({ length: Math.min(this.config.WEBHOOK_CONCURRENCY, rows.length) }, worker));
    return rows.length;
  }

  private async work(row: ClaimedRow, lease: string): Promise<void> {
    const event: StripeEventEnvelope = {
      id: row.id,
      type: row.type,
      account: row.account,
      livemode: row.livemode,
      created: new Date(row.created),
      apiVersion: row.api_version,
      objectId: row.object_id,
      payload: row.payload,
    };
    const handlers = this.registry.handlersFor(event.type);
    try {
      if (handlers.length === 0) {
        await this.finish(row.id, lease, 'ignored');
        this.logger.debug({ eventId: row.id, type: row.type, status: 'ignored' }, 'webhook event worked');
        return;
      }
      const loaded = await Promise.all(handlers.map((h) => (h.load ? h.load(event) : Promise.resolve(undefined))));
      await this.db.transaction(async (tx) => {
        for (let i = 0; i < handlers.length; i++) await handlers[i]!.apply(event, tx, loaded[i]);
        const marked: [unknown[], number] = await tx.query(
          `UPDATE webhook_events SET status = 'processed', processed_at = now(), lease_token = NULL, next_attempt_at = NULL, last_error = NULL
            WHERE id = $1 AND lease_token = $2`,
          [row.id, lease],
        );
        // another worker took the event over (our lease expired): roll our writes back
        if (marked[1] !== 1) throw new LeaseLostError(`lease on ${row.id} lost`);
      });
      this.logger.debug({ eventId: row.id, type: row.type, status: 'processed', attempts: row.attempts }, 'webhook event worked');
    } catch (error) {
      if (error instanceof LeaseLostError) return;
      await this.fail(row, lease, error);
    }
  }

  private async finish(id: string, lease: string, status: 'ignored'): Promise<void> {
    await this.db.query(`UPDATE webhook_events SET status = $3::varchar, processed_at = now(), lease_token = NULL, next_attempt_at = NULL WHERE id = $1 AND lease_token = $2`, [id, lease, status]);
  }

  private async fail(row: ClaimedRow, lease: string, error: unknown): Promise<void> {
    const message = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2000);
    const dead = row.attempts >= this.config.WEBHOOK_MAX_ATTEMPTS;
    const delay = retryDelayMs(row.attempts, this.config.WEBHOOK_RETRY_BASE_MS, this.config.WEBHOOK_RETRY_CAP_MS);
    this.logger.warn({ eventId: row.id, type: row.type, attempts: row.attempts, dead, retryInMs: dead ? null : delay, error: message }, 'webhook handler failed');
    await this.db.query(
      `UPDATE webhook_events
          SET status = $3::varchar, last_error = $4, lease_token = NULL,
              next_attempt_at = CASE WHEN $3::varchar = 'dead' THEN NULL ELSE now() + make_interval(secs => $5::double precision / 1000) END
        WHERE id = $1 AND lease_token = $2`,
      [row.id, lease, dead ? 'dead' : 'pending', message, delay],
    );
  }
}

/** Capped exponential backoff with +-20% jitter, so a burst of failures does not retry in lockstep. */
export function retryDelayMs(attempts: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp * (0.8 + random() * 0.4));
}
