import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { ROOT_LOGGER } from '../common/logger.js';
import type { Principal } from '../identity/principal.entity.js';
import { TransfersConfig } from './transfers.config.js';
import { TransfersErrors } from './transfers.errors.js';

/** A seller's funds held by the platform on one transfer, until its release. */
export interface HeldFunds {
  transferId: string;
  orderId: string;
  amount: bigint;
  currency: string;
  releasesAt: Date;
  holdExpiresAt: Date | null;
}

/** Who acts on an order's hold, as the order's side decided: its buyer, one of its sellers, or an admin. */
export type HoldActor = { as: 'buyer' | 'seller' | 'admin'; principal: Principal };

/**
 * Holds on a multi-seller order's transfers (escrow-style). The order's hold (`holdDays` after
 * payment, TRANSFERS_HOLD_DAYS or the checkout's, at most TRANSFERS_HOLD_MAX_DAYS, itself within
 * Stripe's 90 days) keeps every seller's transfer row `pending` and unclaimed until it is released:
 *  - the buyer confirms receipt, or an admin releases: every held part of the order, at once;
 *  - a seller marks their part fulfilled: recorded, and their part is released on its own
 *    TRANSFERS_AUTO_RELEASE_DAYS later (the buyer's window to object), if that is sooner;
 *  - nobody acts: at the end of the hold the transfer is made regardless (`max_hold`) and admins are told.
 * Each action is a guarded UPDATE (`... IS NULL`), so a repeat, or a race with the worker, changes nothing.
 * Times are the database's clock, as every other deadline of the workers.
 */
@Injectable()
export class TransferHoldsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: TransfersConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** The hold of a new order with `sellers` sellers: the checkout's `holdDays` within bounds, or the platform's. */
  holdDaysFor(requested: number | undefined, sellers: number): number {
    if (requested !== undefined && requested > this.config.TRANSFERS_HOLD_MAX_DAYS) throw TransfersErrors.holdOutOfBounds(requested, this.config.TRANSFERS_HOLD_MAX_DAYS);
    // a destination charge moves the funds at once: a hold asked for is refused, the platform's does not apply
    if (sellers < 2) {
      if (requested) throw TransfersErrors.holdNotSupported(sellers, requested);
      return 0;
    }
    return requested ?? this.config.TRANSFERS_HOLD_DAYS;
  }

  /**
   * The seller's funds the platform holds now: each held transfer of a multi-seller order not yet
   * released, with when it is released on its own (`releasesAt`) and the end of its hold. Read-only.
   */
  async heldFor(sellerId: string): Promise<HeldFunds[]> {
    const rows: Array<{ transfer_id: string; order_id: string; amount: string; currency: string; hold_until: Date; hold_expires_at: Date | null }> = await this.db.query(
      `SELECT id AS transfer_id, order_id, amount::text AS amount, currency, hold_until, hold_expires_at FROM transfers
        WHERE seller_id = $1 AND kind = 'order' AND hold_until IS NOT NULL AND released_at IS NULL AND status = 'pending'
        ORDER BY hold_until, id`,
      [sellerId],
    );
    return rows.map((r) => ({ transferId: r.transfer_id, orderId: r.order_id, amount: BigInt(r.amount), currency: r.currency, releasesAt: r.hold_until, holdExpiresAt: r.hold_expires_at }));
  }

  /** The buyer confirmed receipt: every held part not released yet is released now. Returns how many parts it released. */
  async confirmReceived(tx: EntityManager, orderId: string, buyer: Principal): Promise<number> {
    await tx.query(`UPDATE transfers SET received_at = now(), received_by = $2, updated_at = now() WHERE order_id = $1 AND kind = 'order' AND received_at IS NULL`, [orderId, buyer.id]);
    return this.releaseNow(tx, orderId, 'buyer', buyer);
  }

  /** An admin releases every held part of the order now. */
  releaseByAdmin(tx: EntityManager, orderId: string, admin: Principal): Promise<number> {
    return this.releaseNow(tx, orderId, 'admin', admin);
  }

  /** The seller marked their own part fulfilled: its automatic release moves to TRANSFERS_AUTO_RELEASE_DAYS from now, if sooner. */
  async markFulfilled(tx: EntityManager, orderId: string, seller: Principal): Promise<void> {
    await tx.query(
      `UPDATE transfers SET fulfilled_at = now(), fulfilled_by = $2, updated_at = now(),
              hold_until = CASE WHEN hold_until IS NULL OR released_at IS NOT NULL THEN hold_until ELSE LEAST(hold_until, now() + make_interval(days => $3)) END
        WHERE order_id = $1 AND seller_id = $2 AND kind = 'order' AND fulfilled_at IS NULL`,
      [orderId, seller.id, this.config.TRANSFERS_AUTO_RELEASE_DAYS],
    );
  }

  /**
   * The worker's step before it claims: held rows whose automatic release time has come are
   * released (`auto`, or `max_hold` when it is the end of the order's hold: logged at error with
   * `alert: transfer_hold_expired`, listed for admins by `releaseReason`). Returns how many.
   */
  async releaseDue(): Promise<number> {
    const [released]: [Array<{ id: string; order_id: string; seller_id: string; release_reason: string; amount: string; currency: string }>, number] = await this.db.query(
      `UPDATE transfers SET released_at = now(), release_reason = CASE WHEN hold_until >= hold_expires_at THEN 'max_hold' ELSE 'auto' END, updated_at = now()
        WHERE id IN (SELECT id FROM transfers WHERE kind = 'order' AND released_at IS NULL AND hold_until IS NOT NULL AND hold_until <= now() AND status = 'pending'
                        -- no automatic release while a dispute (or inquiry) on the order is open: the buyer may be owed
                        -- the funds back; the end of the hold still releases (Stripe's limit on holding funds wins)
                        AND (hold_until >= hold_expires_at OR NOT EXISTS (
                              SELECT 1 FROM disputes d WHERE d.order_id = transfers.order_id AND d.status NOT IN ('won', 'lost', 'warning_closed', 'prevented')))
                      ORDER BY hold_until LIMIT 100 FOR UPDATE SKIP LOCKED)
        RETURNING id, order_id, seller_id, release_reason, amount, currency`,
    );
    for (const row of released.filter((r) => r.release_reason === 'max_hold')) {
      this.logger.error(
        { component: 'transfers', alert: 'transfer_hold_expired', transferId: row.id, orderId: row.order_id, sellerId: row.seller_id, amount: row.amount, currency: row.currency },
        'a held transfer reached the end of its hold with no release: transferred regardless (Stripe limits how long the platform may hold funds)',
      );
    }
    return released.length;
  }

  private async releaseNow(tx: EntityManager, orderId: string, reason: 'buyer' | 'admin', by: Principal): Promise<number> {
    const [, count]: [unknown, number] = await tx.query(
      `UPDATE transfers SET released_at = now(), release_reason = $2, released_by = $3, released_by_role = $4, updated_at = now()
        WHERE order_id = $1 AND kind = 'order' AND hold_until IS NOT NULL AND released_at IS NULL`,
      [orderId, reason, by.id, by.role],
    );
    return count;
  }
}
