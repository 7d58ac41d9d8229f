import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { withSessionLock } from '@app/database';
import { RECONCILIATION_GATEWAY, type StripeGateway } from '@app/stripe';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ROOT_LOGGER } from '../common/logger.js';
import { ConnectedAccountDirectory } from '../webhooks/connected-account-directory.js';
import { type Phase, RUN_PASSES, type ReconciliationRun, type RunPass } from './reconciliation-run.js';
import { ReconciliationStore } from './reconciliation-store.js';

/** One instance reconciles at a time: a session advisory lock on a dedicated connection (released by PostgreSQL if the instance dies). */
export const RECONCILIATION_LOCK = 7_420_014;
/** A run whose pages fail this many times in a row is given up as failed (its cursor and findings stay). */
const MAX_FAILURES = 5;

/**
 * Works runs to the end, a page at a time, each page committed with its cursor: unfinished runs
 * (queued, or running when an instance died) oldest first, while it holds the lock. Never holds a
 * database transaction across a Stripe call (the passes read Stripe, then the store commits).
 */
@Injectable()
export class ReconciliationRunner {
  private readonly byPhase = new Map<Phase, RunPass>();
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: ReconciliationStore,
    @Inject(RUN_PASSES) passes: RunPass[],
    @Inject(RECONCILIATION_GATEWAY) private readonly gateway: StripeGateway,
    private readonly accounts: ConnectedAccountDirectory,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    for (const pass of passes) for (const phase of pass.phases) this.byPhase.set(phase, pass);
  }

  stop(): void {
    this.stopping = true;
  }

  /** Works every unfinished run if this instance gets the lock; false when another instance holds it. */
  async drain(): Promise<boolean> {
    const drained = await withSessionLock(this.db, RECONCILIATION_LOCK, async () => {
      for (let run = await this.store.nextUnfinished(); run && !this.stopping; run = await this.store.nextUnfinished()) await this.work(run);
      return true;
    });
    return drained ?? false;
  }

  /** Stripe's clock (its answers' Date; the sandbox's may run ahead of ours): windows end, and "too young to be missing" is judged, on it. */
  async stripeClock(): Promise<Date> {
    const stripe = await this.gateway.stripeClock();
    const now = new Date();
    return stripe > now ? stripe : now;
  }

  private async work(queued: ReconciliationRun): Promise<void> {
    const balances = ['platform', ...(await this.accounts.list()).sort()];
    let run = await this.store.start(queued.id, balances, await this.stripeClock());
    this.logger.info({ component: 'reconciliation', runId: run.id, cursor: run.cursor, windowFrom: run.windowFrom, windowTo: run.windowTo }, 'reconciliation run working');
    let failures = 0;
    while (run.cursor.phase !== 'done' && !this.stopping) {
      const pass = this.byPhase.get(run.cursor.phase);
      if (!pass) throw new Error(`no reconciliation pass for ${run.cursor.phase}`);
      try {
        const outcome = await pass.page(run, run.cursor);
        const counts = await this.store.commitPage(run.id, outcome);
        run = { ...run, cursor: outcome.next, counts };
        failures = 0;
      } catch (error) {
        failures++;
        this.logger.warn({ err: error, component: 'reconciliation', runId: run.id, cursor: run.cursor, failures }, 'reconciliation page failed; resuming from its cursor');
        if (failures >= MAX_FAILURES) {
          await this.store.finish(run.id, 'failed', `${run.cursor.phase} failed ${failures} times in a row: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500));
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * 2 ** failures));
      }
    }
    if (run.cursor.phase === 'done') {
      await this.store.finish(run.id, 'completed');
      this.logger.info({ component: 'reconciliation', runId: run.id, counts: run.counts }, 'reconciliation run completed');
    }
  }
}
