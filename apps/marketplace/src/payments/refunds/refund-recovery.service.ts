import { idempotencyKeyMayBeForgotten, StripeGatewayError } from '@app/stripe';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ROOT_LOGGER } from '../../common/logger.js';
import { Order } from '../orders/order.entity.js';
import { RefundSettlementService } from './refund-settlement.service.js';
import { Refund } from './refund.entity.js';
import { NOT_FOUND_AFTER_KEY_EXPIRY, RefundsService } from './refunds.service.js';

// Leave a refund to its own request (and the webhook) for longer than that request can last:
// STRIPE_TIMEOUT_MS x (STRIPE_MAX_RETRIES + 1) plus backoff, about 2 minutes with the defaults.
const GRACE_SECONDS = 5 * 60;

/**
 * Crash recovery for refunds (ARCHITECTURE: "a worker finishes anything left in between"): a
 * refund still `pending` after its request ended (the process died, or Stripe's answer was lost)
 * is finished here: the same Stripe call with the same key `refund:<id>` while the key is fresh,
 * a look-up by `metadata.refund_id` on the charge after that. A refund whose Stripe id we know
 * (Stripe answered, and holds it pending) is read by that id: never sent again, since a create
 * sent to a Stripe that has forgotten its key is a second refund. Claimed with FOR UPDATE SKIP LOCKED.
 */
@Injectable()
export class RefundRecoveryService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly refunds: RefundsService,
    private readonly settlement: RefundSettlementService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async runOnce(limit = 20): Promise<number> {
    const claimed: Array<{ id: string }> = await this.db
      .query(
        `UPDATE refunds SET updated_at = now()
        WHERE id IN (SELECT id FROM refunds
                      WHERE status = 'pending' AND source = 'api' AND updated_at < now() - make_interval(secs => $1)
                      ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
        [GRACE_SECONDS, limit],
      )
      .then(([rows]: [Array<{ id: string }>, number]) => rows);
    let finished = 0;
    for (const { id } of claimed) if (await this.finish(id)) finished++;
    return finished;
  }

  private async finish(refundId: string): Promise<boolean> {
    const refund = await this.db.getRepository(Refund).findOneBy({ id: refundId });
    if (refund?.status !== 'pending') return false;
    const order = (await this.db.getRepository(Order).findOneBy({ id: refund.orderId }))!;
    if (refund.stripeRefundId) return this.reread(order, refund.id, refund.stripeRefundId);
    const keyIsFresh = !idempotencyKeyMayBeForgotten(refund.createdAt);
    try {
      const stripe = keyIsFresh ? await this.refunds.createAtStripe(order, refund) : await this.refunds.findAtStripe(order, refund);
      if (!stripe) {
        // an old key and no such refund at Stripe: it never happened
        await this.db.transaction((tx) => this.settlement.refused(tx, refund.id, NOT_FOUND_AFTER_KEY_EXPIRY));
        return true;
      }
      const facts = await this.refunds.readAtStripe(order, stripe);
      await this.db.transaction((tx) => this.settlement.settle(tx, refund.id, facts));
      return true;
    } catch (error) {
      if (error instanceof StripeGatewayError && error.definitiveRefusal) {
        // Stripe refused it for good: the refund failed and the order may be refunded again
        await this.db.transaction((tx) => this.settlement.refused(tx, refund.id, error.message));
        return true;
      }
      // still unknown: try again next round (the oldest waiting refund gauge shows one that never ends)
      this.logger.warn({ err: error, component: 'refund-recovery', refundId: refund.id }, 'a stranded refund could not be finished; tried again next round');
      return false;
    }
  }

  /** Stripe made it and told us its id: what it says of it now (still pending: left for refund.updated and the next round). */
  private async reread(order: Order, refundId: string, stripeRefundId: string): Promise<boolean> {
    try {
      const facts = await this.refunds.readAtStripe(order, await this.refunds.retrieveAtStripe(stripeRefundId));
      await this.db.transaction((tx) => this.settlement.settle(tx, refundId, facts));
      return facts.refund.status !== 'pending';
    } catch (error) {
      // it exists at Stripe whatever the read said: never refused from here, read again next round
      this.logger.warn({ err: error, component: 'refund-recovery', refundId, stripeRefundId }, 'a refund Stripe holds could not be read or settled; read again next round');
      return false;
    }
  }
}
