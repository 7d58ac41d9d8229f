import { attemptKey, StripeGateway } from '@app/stripe';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ROOT_LOGGER } from '../common/logger.js';
import { PayoutsConfig } from './payouts.config.js';

export interface ScheduleRound {
  set: number;
  failed: number;
}

const PAGE = 100;

/**
 * In PAYOUT_MODE=reviewed, every seller's connected account is on Stripe's manual payout schedule
 * (the Balance Settings API, v1 and v2 accounts alike), so Stripe pays no one out on its own.
 * Setting it is a set, not a change: the same call again is harmless. Each call has its own key
 * (`payout_schedule:<acct>[:<n>]`, n counted on the row before the call): Stripe replays a key's
 * saved answer, a 500 included, for 24 h, so a pass after a failure must not reuse the failed key.
 * A seller row records when it was set (`payout_schedule_set_at`); rows without it are set by the
 * worker's pass, which is also how accounts made before the switch get it.
 */
@Injectable()
export class ManualPayoutSchedules {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly gateway: StripeGateway,
    private readonly config: PayoutsConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  get applies(): boolean {
    return this.config.PAYOUT_MODE === 'reviewed';
  }

  /** Right after the seller's account is made: a failure loses nothing (the row stays unset and the worker's pass sets it). */
  async afterAccountOpened(sellerId: string, account: string, setAt: Date | null): Promise<void> {
    if (!this.applies || setAt) return;
    try {
      await this.setManual(sellerId, account);
    } catch (error) {
      this.logger.warn({ err: error, sellerId, account, component: 'payout-schedules' }, 'manual payout schedule not set yet; the worker will retry');
    }
  }

  /** Every account with no manual schedule recorded (except disconnected ones), page by page; one account's failure does not stop the others. */
  async setMissing(): Promise<ScheduleRound> {
    const round: ScheduleRound = { set: 0, failed: 0 };
    if (!this.applies) return round;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows: Array<{ seller_id: string; stripe_account_id: string }> = await this.db.query(
        `SELECT seller_id, stripe_account_id FROM seller_accounts
          WHERE stripe_account_id IS NOT NULL AND payout_schedule_set_at IS NULL AND status <> 'disconnected' AND seller_id > $1
          ORDER BY seller_id LIMIT ${PAGE}`,
        [after],
      );
      for (const row of rows) {
        try {
          await this.setManual(row.seller_id, row.stripe_account_id);
          round.set++;
        } catch (error) {
          round.failed++;
          this.logger.warn({ err: error, sellerId: row.seller_id, account: row.stripe_account_id, component: 'payout-schedules' }, 'manual payout schedule not set; retried next pass');
        }
      }
      if (rows.length < PAGE) return round;
      after = rows[rows.length - 1]!.seller_id;
    }
  }

  private async setManual(sellerId: string, account: string): Promise<void> {
    const [{ generation }]: Array<{ generation: number }> = await this.db.query(
      `UPDATE seller_accounts SET payout_schedule_attempts = payout_schedule_attempts + 1 WHERE seller_id = $1 RETURNING payout_schedule_attempts - 1 AS generation`,
      [sellerId],
    );
    const settings = await this.gateway.updatePayoutSchedule(account, 'manual', attemptKey('payout_schedule', account, generation));
    if (settings.payoutInterval !== 'manual') throw new Error(`Stripe answered payout schedule ${settings.payoutInterval} for ${account}`);
    await this.db.query(`UPDATE seller_accounts SET payout_schedule_set_at = now() WHERE seller_id = $1 AND stripe_account_id = $2 AND payout_schedule_set_at IS NULL`, [sellerId, account]);
  }
}
