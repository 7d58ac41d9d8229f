import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { withSessionLock } from '@app/database';
import { RECONCILIATION_GATEWAY, type StripeGateway, StripeGatewayError } from '@app/stripe';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { ROOT_LOGGER } from '../common/logger.js';
import { type Phase, RUN_PASSES, type ReconciliationRun, type RunPass, nextCursor, refusedForGood } from './reconciliation-run.js';
import { type PageOutcome, ReconciliationStore } from './reconciliation-store.js';
import { RunBalances } from './run-balances.js';

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
    private readonly balances: RunBalances,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    for (const pass of passes) for (const phase of pass.phases) this.byPhase.set(phase, pass);
  }

  stop(): void {
    this.stopping = true;
  }

  /** Works every unfinished run if this instance gets the lock; false when another instance holds it. */
  async drain(): Promise<boolean> {
    // nothing to do costs one short query on the pool, not a connection of its own (a small pool serves HTTP too)
    if (!(await this.store.nextUnfinished())) return true;
    const drained = await withSessionLock(this.db, RECONCILIATION_LOCK, async () => {
      for (let run = await this.store.nextUnfinished(); run && !this.stopping; run = await this.store.nextUnfinished()) await this.work(run);
      return true;
    });
    return drained ?? false;
  }

  /** Stripe's clock (its answers' Date; the sandbox's may run ahead of ours): windows end, and "too young to be missing" is judged, on it. */
  stripeClock(): Promise<Date> {
    return this.gateway.stripeClock();
  }

  /** One page of a pass; a balance Stripe refuses to read for good (a disconnected account) is reported, and the pass goes on to the next balance. */
  private async page(pass: RunPass, run: ReconciliationRun): Promise<PageOutcome> {
    try {
      return await pass.page(run, run.cursor);
    } catch (error) {
      if (!pass.perBalance || !refusedForGood(error)) throw error;
      const balance = run.balances[run.cursor.balance]!;
      return {
        findings: [
          {
            kind: 'unreadable_balance',
            balance,
            aspect: run.cursor.phase,
            details: { pass: run.cursor.phase, code: error.code, httpStatus: error.info.httpStatus ?? null },
            summary: `Stripe refused to read ${balance === 'platform' ? "the platform's balance" : balance} in the ${run.cursor.phase} pass (${error.code}): it was not reconciled`,
          },
        ],
        next: nextCursor(run.cursor, run.balances.length, { hasMore: false, last: null }, true),
      };
    }
  }

  private async work(queued: ReconciliationRun): Promise<void> {
    // a resumed run keeps the balances (and their windows) it chose when it started
    const chosen = queued.balances.length ? { balances: queued.balances, balanceFrom: queued.balanceFrom } : await this.balances.choose(queued);
    let run = await this.store.start(queued.id, chosen.balances, await this.stripeClock(), chosen.balanceFrom);
    this.logger.info(
      { component: 'reconciliation', runId: run.id, cursor: run.cursor, windowFrom: run.windowFrom, windowTo: run.windowTo, balances: run.balances.length },
      'reconciliation run working',
    );
    let failures = 0;
    while (run.cursor.phase !== 'done' && !this.stopping) {
      const pass = this.byPhase.get(run.cursor.phase);
      if (!pass) throw new Error(`no reconciliation pass for ${run.cursor.phase}`);
      try {
        const outcome = await this.page(pass, run);
        const counts = await this.store.commitPage(run.id, outcome, run.cursor);
        run = { ...run, cursor: outcome.next, counts };
        failures = 0;
      } catch (error) {
        failures++;
        this.logger.warn({ err: error, component: 'reconciliation', runId: run.id, cursor: run.cursor, failures }, 'reconciliation page failed; resuming from its cursor');
        if (failures >= MAX_FAILURES) {
          // the run is failed, its cursor kept: the next scheduled tick queues it again; the words are ours, not a provider's
          await this.store.finish(run.id, 'failed', `the ${run.cursor.phase} pass failed ${failures} times in a row (${errorCode(error)}); it resumes from its cursor at the next scheduled run`);
          this.logger.error({ component: 'reconciliation', alert: 'reconciliation_run_failed', runId: run.id, cursor: run.cursor }, 'reconciliation run failed');
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * 2 ** failures));
      }
    }
    if (run.cursor.phase === 'done') {
      await this.store.finish(run.id, 'completed');
      // after: a crash between the two leaves older marks, so later windows start earlier (an overlap, never a gap)
      if (run.trigger === 'schedule') await this.store.markReconciled(run);
      this.logger.info({ component: 'reconciliation', runId: run.id, counts: run.counts }, 'reconciliation run completed');
    }
  }
}

/** What failed, in our words: a gateway error's code, else that it was ours (the details are in the log). */
function errorCode(error: unknown): string {
  if (error instanceof StripeGatewayError) return error.code;
  if (error instanceof DomainError) return error.code;
  return 'an internal error';
}
