import { withSessionLock } from '@app/database';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { CronJob } from 'cron';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { ROOT_LOGGER } from '../common/logger.js';
import { AppConfig } from '../config/app.config.js';
import { ConnectedAccountDirectory } from '../webhooks/connected-account-directory.js';
import { latestSlotAtOrBefore, slotsBetween } from '../common/cron-slots.js';
import { PayoutRun, type PayoutRunTrigger } from './payout-run.entity.js';
import { PayoutRequestsConfig } from './payout-requests.config.js';
import { PayoutRequestsErrors } from './payout-requests.errors.js';
import { PayoutRequestsService } from './payout-requests.service.js';
import { nonOverlapping } from '../common/non-overlapping.js';

const RUN_LOCK = 7_420_013;
const CRON_NAME = 'payout-requests';
/** A slot younger than this may still be starting on some worker: not called missed yet. */
const MISSED_GRACE_MS = 60_000;
// a balance below the minimum or a request already open is no failure of the run
const NOT_CREATED = new Set(['PAYOUTS.BELOW_MINIMUM', 'PAYOUTS.NOTHING_AVAILABLE', 'PAYOUTS.OPEN_REQUEST_EXISTS']);

/** One line of GET /admin/payouts/runs: a run, or a slot of the schedule that has none (`missed`). */
export type PayoutRunListing = { kind: 'run'; run: PayoutRun } | { kind: 'missed'; slot: Date };

/**
 * The scheduled job that makes payout requests (PAYOUT_REQUESTS_CRON, UTC, worker role only): for
 * every seller with a connected account, each currency whose available balance at Stripe is at
 * or above the minimum and has no open request gets one (origin `schedule`); held requests are
 * checked again. One instance at a time (an advisory lock on a dedicated connection), and each run
 * is a payout_runs row keyed by its slot (unique): two workers on the same slot make one run and
 * each request once. A seller whose balance cannot be read is counted and named; the run goes on.
 */
@Injectable()
export class PayoutRequestSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly requests: PayoutRequestsService,
    private readonly accounts: ConnectedAccountDirectory,
    private readonly config: PayoutRequestsConfig,
    private readonly app: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  private heldTimer: NodeJS.Timeout | null = null;

  onApplicationBootstrap(): void {
    if (!this.app.runsWorkers) return;
    // one recheck at a time: each reads Stripe's balances through the shared budget, so overlapping ones would pile up when it is busy
    const recheck = nonOverlapping(() => this.recheckHeld());
    this.heldTimer = setInterval(() => void recheck(), this.config.PAYOUT_HELD_RECHECK_MS);
    const job = CronJob.from({ cronTime: this.config.PAYOUT_REQUESTS_CRON, timeZone: 'UTC', onTick: () => void this.scheduled(), start: false });
    this.scheduler.addCronJob(CRON_NAME, job);
    job.start();
  }

  onApplicationShutdown(): void {
    if (this.heldTimer) clearInterval(this.heldTimer);
    this.heldTimer = null;
    if (this.scheduler.doesExist('cron', CRON_NAME)) this.scheduler.deleteCronJob(CRON_NAME);
  }

  /** An admin's run now (slot = now). PAYOUTS.RUN_IN_PROGRESS while another instance runs one. */
  async runNow(): Promise<PayoutRun> {
    const run = await this.run(new Date(), 'admin');
    if (!run) throw PayoutRequestsErrors.runInProgress();
    return run;
  }

  /**
   * The run of `slot`: made once whoever asks (null when another instance holds the lock now;
   * the existing row when the slot already ran; a run left `running` by an instance that died is finished).
   */
  async run(slot: Date, trigger: PayoutRunTrigger): Promise<PayoutRun | null> {
    return withSessionLock(this.db, RUN_LOCK, async () => {
      const inserted: Array<{ id: string }> = await this.db.query(`INSERT INTO payout_runs (slot, trigger, status) VALUES ($1, $2, 'running') ON CONFLICT (slot) DO NOTHING RETURNING id`, [
        slot,
        trigger,
      ]);
      const id = inserted[0]?.id;
      const existing = id ? null : await this.db.getRepository(PayoutRun).findOneByOrFail({ slot });
      // we hold the lock, so a run of this slot still `running` belongs to an instance that died mid-run: finish it
      if (existing && existing.status !== 'running') return existing;
      const runId = id ?? existing!.id;
      await this.work(runId);
      return this.db.getRepository(PayoutRun).findOneByOrFail({ id: runId });
    });
  }

  /** Runs since `days` ago and, from the cron expression, every slot of that window without a run (`missed`), newest first. */
  async listing(days: number, now: Date = new Date()): Promise<PayoutRunListing[]> {
    const from = new Date(now.getTime() - days * 86_400_000);
    const runs = await this.db.getRepository(PayoutRun).createQueryBuilder('r').where('r.slot > :from', { from }).getMany();
    const ran = new Set(runs.map((r) => r.slot.getTime()));
    const missed = slotsBetween(this.config.PAYOUT_REQUESTS_CRON, from, new Date(now.getTime() - MISSED_GRACE_MS)).filter((s) => !ran.has(s.getTime()));
    const items: PayoutRunListing[] = [...runs.map((run) => ({ kind: 'run' as const, run })), ...missed.map((slot) => ({ kind: 'missed' as const, slot }))];
    const slotOf = (i: PayoutRunListing) => (i.kind === 'run' ? i.run.slot : i.slot).getTime();
    return items.sort((a, b) => slotOf(b) - slotOf(a));
  }

  private async scheduled(): Promise<void> {
    const slot = latestSlotAtOrBefore(this.config.PAYOUT_REQUESTS_CRON, new Date());
    if (!slot) return;
    try {
      await this.run(slot, 'schedule');
    } catch (error) {
      this.logger.error({ err: error, component: 'payout-requests-schedule', slot }, 'scheduled payout requests run failed');
    }
  }

  /**
   * Checks every held request again (between runs too, every PAYOUT_HELD_RECHECK_MS): a request held
   * only because the ledger had not yet booked funds Stripe already made available goes to review as
   * soon as they agree. A recheck is a guarded transition: two workers at once move it once. Returns the failures, in words.
   */
  async recheckHeld(): Promise<string[]> {
    const failures: string[] = [];
    try {
      for (const id of await this.requests.heldIds()) {
        try {
          await this.requests.recheck(id);
        } catch (e) {
          failures.push(`recheck of held request ${id}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    } catch (e) {
      failures.push(`held requests could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (failures.length) this.logger.warn({ component: 'payout-requests-schedule', failures }, 'held payout requests not all rechecked');
    return failures;
  }

  private async work(runId: string): Promise<void> {
    let considered = 0;
    let created = 0;
    const failures: string[] = [];
    let sellersFailed = 0;
    let error: string | null = null;
    try {
      for (const { sellerId, account } of await this.accounts.sellers()) {
        considered++;
        try {
          created += await this.requestsFor(sellerId, account, runId);
        } catch (e) {
          sellersFailed++;
          failures.push(`seller ${sellerId}: ${e instanceof Error ? e.message : String(e)}`);
          this.logger.warn({ err: e, component: 'payout-requests-schedule', sellerId, runId }, 'a seller was skipped by the payout requests run');
        }
      }
      failures.push(...(await this.recheckHeld()));
      if (failures.length) error = `${failures.length} failed and the run went on: ${failures.join('; ')}`;
    } catch (e) {
      error = `the run stopped: ${e instanceof Error ? e.message : String(e)}`;
    }
    const stopped = error?.startsWith('the run stopped') ?? false;
    await this.db.query(`UPDATE payout_runs SET status = $2, finished_at = now(), sellers_considered = $3, requests_created = $4, sellers_failed = $5, error = $6 WHERE id = $1`, [
      runId,
      stopped ? 'failed' : 'succeeded',
      considered,
      created,
      sellersFailed,
      error,
    ]);
  }

  /** The requests one seller gets: one per currency available at or above the minimum, without an open one. */
  private async requestsFor(sellerId: string, account: string, runId: string): Promise<number> {
    const open = new Set((await this.requests.openRequests(sellerId)).map((r) => r.currency));
    let created = 0;
    for (const balance of await this.requests.readBalances(sellerId)) {
      if (balance.account !== account || open.has(balance.currency) || balance.stripe.available < this.config.minimumFor(balance.currency)) continue;
      try {
        await this.requests.createFrom({ sellerId, currency: balance.currency, origin: 'schedule', by: null, runId }, account, balance);
        created++;
      } catch (e) {
        if (!(e instanceof DomainError && NOT_CREATED.has(e.code))) throw e;
      }
    }
    return created;
  }
}
