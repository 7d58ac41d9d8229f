import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import type { Logger } from 'pino';
import { latestSlotAtOrBefore, slotsBetween } from '../common/cron-slots.js';
import { ROOT_LOGGER } from '../common/logger.js';
import { AppConfig } from '../config/app.config.js';
import { ReconciliationConfig } from './reconciliation.config.js';
import { ReconciliationErrors } from './reconciliation.errors.js';
import type { ReconciliationRun } from './reconciliation-run.js';
import { ReconciliationRunner } from './reconciliation-runner.service.js';
import { ReconciliationStore } from './reconciliation-store.js';

const CRON_NAME = 'reconciliation';
/** A slot younger than this may still be starting on some worker: not called missed yet. */
const MISSED_GRACE_MS = 60_000;

export type ReconciliationRunListing = { kind: 'run'; run: ReconciliationRun } | { kind: 'missed'; slot: Date };

/**
 * The reconciliation cron (RECONCILIATION_CRON, UTC, worker role): each slot makes one run (unique
 * by slot, so two workers firing at once make one), whose window starts where the previous
 * scheduled run's ended. Workers also poll for runs admins asked for and runs an instance left
 * unfinished, and work them under the run lock.
 */
@Injectable()
export class ReconciliationSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private poll: NodeJS.Timeout | null = null;
  private draining: Promise<unknown> | null = null;

  constructor(
    private readonly store: ReconciliationStore,
    private readonly runner: ReconciliationRunner,
    private readonly config: ReconciliationConfig,
    private readonly app: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.app.runsWorkers) return;
    const job = CronJob.from({ cronTime: this.config.RECONCILIATION_CRON, timeZone: 'UTC', onTick: () => void this.scheduled(), start: false });
    this.scheduler.addCronJob(CRON_NAME, job);
    job.start();
    this.poll = setInterval(() => void this.kick(), this.config.RECONCILIATION_POLL_MS);
    this.poll.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    this.runner.stop();
    if (this.scheduler.doesExist('cron', CRON_NAME)) this.scheduler.deleteCronJob(CRON_NAME);
    await this.draining;
  }

  /** The run of a slot: made once whoever fires it (null when it exists already), then worked. */
  async runSlot(slot: Date): Promise<ReconciliationRun | null> {
    // Stripe's clock a little behind: what it makes while the first page is read falls in the next window, which
    // also starts a skew earlier (an overlap is harmless: items and discrepancies are kept once)
    const to = new Date((await this.runner.stripeClock()).getTime() - 2_000);
    const previous = await this.store.lastScheduledWindowEnd();
    const from = previous ? new Date(previous.getTime() - this.config.RECONCILIATION_SKEW_S * 1000) : new Date(to.getTime() - this.config.RECONCILIATION_FIRST_WINDOW_S * 1000);
    const run = await this.store.create({ trigger: 'schedule', slot, requestedBy: null, from, to: to > from ? to : new Date(from.getTime() + 1000) });
    await this.store.requeueFailed();
    // the instance that made the slot's run prunes old runs' items (a few runs a slot)
    if (run) await this.store.pruneItems(this.config.RECONCILIATION_ITEMS_RETENTION_DAYS);
    await this.kick();
    return run;
  }

  /** An admin's run of a window (default: RECONCILIATION_FIRST_WINDOW_S back to Stripe's clock), bound to the Idempotency-Key; a worker works it. */
  async runNow(ask: { by: string; idempotencyKey: string; from?: Date; to?: Date }): Promise<ReconciliationRun> {
    // Stripe's clock bounds the window: unreadable (a 5xx, a 429, unreachable), nothing is queued and the admin asks again
    const clock = await this.runner.stripeClock().catch((error: unknown) => {
      throw ReconciliationErrors.stripeUnavailable(error);
    });
    // `to` is exclusive: by default the window takes in what Stripe made in its clock's second too
    const to = ask.to ?? new Date(clock.getTime() + 1000);
    const from = ask.from ?? new Date(to.getTime() - this.config.RECONCILIATION_FIRST_WINDOW_S * 1000);
    if (from.getTime() >= to.getTime() || to.getTime() > clock.getTime() + 61_000) throw ReconciliationErrors.runInvalidWindow();
    const run = await this.store.create({ trigger: 'admin', slot: null, requestedBy: ask.by, idempotencyKey: ask.idempotencyKey, from, to });
    if (this.app.runsWorkers) void this.kick();
    return run!;
  }

  runsSince(since: Date): Promise<ReconciliationRun[]> {
    return this.store.runsSince(since);
  }

  /** Works unfinished runs now unless this process already is (one drain at a time per process; the lock across processes). */
  kick(): Promise<unknown> {
    this.draining ??= this.runner
      .drain()
      .catch((error) => this.logger.error({ err: error, component: 'reconciliation' }, 'reconciliation drain failed'))
      .finally(() => {
        this.draining = null;
      });
    return this.draining;
  }

  /** Runs since `days` ago and every slot of the cron in that window without a run (`missed`), newest first. */
  async listing(days: number, runs: ReconciliationRun[], now: Date = new Date()): Promise<ReconciliationRunListing[]> {
    const from = new Date(now.getTime() - days * 86_400_000);
    const ran = new Set(runs.filter((r) => r.slot).map((r) => r.slot!.getTime()));
    const missed = slotsBetween(this.config.RECONCILIATION_CRON, from, new Date(now.getTime() - MISSED_GRACE_MS)).filter((s) => !ran.has(s.getTime()));
    const items: ReconciliationRunListing[] = [...runs.map((run) => ({ kind: 'run' as const, run })), ...missed.map((slot) => ({ kind: 'missed' as const, slot }))];
    const at = (i: ReconciliationRunListing) => (i.kind === 'run' ? (i.run.slot ?? i.run.createdAt) : i.slot).getTime();
    return items.sort((a, b) => at(b) - at(a));
  }

  private async scheduled(): Promise<void> {
    const slot = latestSlotAtOrBefore(this.config.RECONCILIATION_CRON, new Date());
    if (!slot) return;
    try {
      await this.runSlot(slot);
    } catch (error) {
      this.logger.error({ err: error, component: 'reconciliation', slot }, 'scheduled reconciliation run failed to start');
    }
  }
}
