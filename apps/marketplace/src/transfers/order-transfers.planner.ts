import { randomUUID } from 'node:crypto';
import { idempotencyKey } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sizeSeparateCharge, type RecordedSplit, type SizedSeller } from './transfer-sizing.js';
import { Transfer, type TransferStripeParams } from './transfer.entity.js';
import { TransfersConfig } from './transfers.config.js';

/**
 * What a paid multi-seller order owes each seller, and the transfer rows that will move it. Called
 * by payments inside the transaction that books the payment, so the rows exist exactly when the
 * charge's entry does.
 */
@Injectable()
export class OrderTransfersPlanner {
  constructor(private readonly config: TransfersConfig) {}

  /** Each seller's share of the charge as Stripe settled it, by the MULTI_SELLER_STRIPE_FEE policy. */
  size(chargeTxn: { amount: bigint; fee: bigint; currency: string }, sellers: readonly RecordedSplit[]): SizedSeller[] {
    return sizeSeparateCharge(chargeTxn, sellers, this.config.MULTI_SELLER_STRIPE_FEE);
  }

  /**
   * One `pending` row per seller with something to transfer (once: unique per order and seller, a
   * second call adds nothing), with every Stripe parameter fixed on it: amount, currency (the
   * charge's settlement currency, which source_transaction requires), destination, transfer_group
   * (the order id, as on the charge), source_transaction (the charge, always: the funds follow the
   * charge's availability instead of drawing on the platform's available balance) and metadata.
   */
  async plan(tx: EntityManager, p: { orderId: string; chargeId: string; sellers: Array<SizedSeller & { account: string }> }): Promise<void> {
    for (const s of p.sellers) {
      if (s.transfer.minor <= 0n) continue;
      const id = randomUUID();
      const params: TransferStripeParams = {
        amount: s.transfer.minor.toString(),
        currency: s.transfer.currency.toLowerCase(),
        destination: s.account,
        transfer_group: p.orderId,
        source_transaction: p.chargeId,
        metadata: { order_id: p.orderId, seller_id: s.sellerId, transfer_id: id },
      };
      await tx
        .createQueryBuilder()
        .insert()
        .into(Transfer)
        .values({
          id,
          kind: 'order',
          status: 'pending',
          orderId: p.orderId,
          sellerId: s.sellerId,
          amount: s.transfer.minor,
          currency: s.transfer.currency,
          share: s.share.minor,
          stripeFeeShare: s.stripeFee.minor,
          destination: s.account,
          transferGroup: p.orderId,
          sourceTransaction: p.chargeId,
          stripeParams: params,
          idempotencyKey: idempotencyKey('transfer', id),
        })
        .orIgnore()
        .execute();
    }
  }
}
