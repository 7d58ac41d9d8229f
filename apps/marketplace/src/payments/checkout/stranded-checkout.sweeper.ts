import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ROOT_LOGGER } from '../../common/logger.js';
import { CheckoutService } from './checkout.service.js';

// Longer than a checkout request and its retries last; a buyer retrying later than this gets the
// expired order back (their Idempotency-Key is bound to it).
const STRANDED_AFTER_SECONDS = 30 * 60;

/**
 * Orders stranded between checkout's transaction 1 and the Stripe call (the process died, the buyer
 * never retried): claimed with FOR UPDATE SKIP LOCKED (the updated_at bump is the lease), each is
 * expired by CheckoutService.expireStranded, its session (if Stripe made one) expired at Stripe.
 */
@Injectable()
export class StrandedCheckoutSweeper {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly checkout: CheckoutService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async runOnce(limit = 20): Promise<number> {
    const [claimed]: [Array<{ id: string }>, number] = await this.db.query(
      `UPDATE orders SET updated_at = now()
        WHERE id IN (SELECT id FROM orders
                      WHERE status = 'awaiting_payment' AND checkout_session_id IS NULL AND updated_at < now() - make_interval(secs => $1)
                      ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [STRANDED_AFTER_SECONDS, limit],
    );
    let done = 0;
    for (const { id } of claimed) {
      try {
        await this.checkout.expireStranded(id);
        done++;
      } catch (error) {
        // left for the next lease: Stripe unreachable, or the key in flight elsewhere
        this.logger.warn({ err: error, component: 'stranded-checkouts', orderId: id }, 'could not expire a stranded checkout yet');
      }
    }
    return done;
  }
}
