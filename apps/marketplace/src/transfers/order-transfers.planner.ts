import { randomUUID } from 'node:crypto';
import { idempotencyKey } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sizeSeparateCharge, type RecordedSplit, type SizedSeller } from './transfer-sizing.js';
import { Transfer, type TransferStripeParams } from './transfer.entity.js';
import { SellerDebtsService } from './seller-debts.service.js';
import { STRIPE_MAX_HOLD_DAYS, TransfersConfig } from './transfers.config.js';
import { TransfersRepository } from './transfers.repository.js';

/**
 * What a paid multi-seller order owes each seller, and the transfer rows that will move it. Called
 * by payments inside the transaction that books the payment, so the rows exist exactly when the
 * charge's entry does.
 */
@Injectable()
export class OrderTransfersPlanner {
  constructor(
    private readonly config: TransfersConfig,
    private readonly debts: SellerDebtsService,
    private readonly transfers: TransfersRepository,
  ) {}

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
   * With the order's hold (`holdDays` > 0) the rows are held: not claimed until released, and
   * released on their own at the end of the hold (hold_until = hold_expires_at = the charge's
   * `created` + holdDays, never after created + STRIPE_MAX_HOLD_DAYS: counted from when Stripe made
   * the charge, not from when we processed it).
   */
  async plan(tx: EntityManager, p: { orderId: string; chargeId: string; holdDays: number; chargeCreated: Date; sellers: Array<SizedSeller & { account: string }> }): Promise<void> {
    const holdEnds = p.holdDays > 0 ? holdEnd(p.chargeCreated, p.holdDays) : null;
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
      const inserted = await tx
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
          ...(holdEnds ? { holdUntil: holdEnds, holdExpiresAt: holdEnds } : {}),
        })
        .orIgnore()
        .returning(['id'])
        .execute();
      if ((inserted.raw as unknown[]).length === 1) await this.netDebts(tx, { id, orderId: p.orderId, sellerId: s.sellerId, amount: s.transfer.minor, currency: s.transfer.currency, params });
    }
  }

  // the seller's open debts are recovered from this transfer before it is made: lowered (its
  // Stripe params with it; canceled at 0), each netting linked and booked (SellerDebtsService.net)
  private async netDebts(tx: EntityManager, t: { id: string; orderId: string; sellerId: string; amount: bigint; currency: string; params: TransferStripeParams }): Promise<void> {
    const netted = await this.debts.net(tx, { sellerId: t.sellerId, currency: t.currency, transferId: t.id, orderId: t.orderId, available: t.amount });
    if (netted === 0n) return;
    const amount = t.amount - netted;
    const changes = { amount, stripeParams: { ...t.params, amount: amount.toString() } };
    if (amount === 0n) await this.transfers.transition(tx, t.id, 'canceled', { ...changes, waitingReason: 'netted in full against the seller debts' }, ['pending']);
    else await tx.update(Transfer, { id: t.id }, changes);
  }
}

/** The end of a hold of `holdDays` on a charge Stripe created at `chargeCreated`, never after its created + STRIPE_MAX_HOLD_DAYS. */
export function holdEnd(chargeCreated: Date, holdDays: number): Date {
  return new Date(chargeCreated.getTime() + Math.min(Math.trunc(holdDays), STRIPE_MAX_HOLD_DAYS) * 86_400_000);
}
