import { Money } from '@app/money';
import type { RefundSnapshot } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LEDGER_ENTRY_KINDS, LedgerService, refundLines } from '../ledger/index.js';
import { OrderTransitionError, statusAfterRefunds } from './order-status.js';
import type { Order } from './order.entity.js';
import { OrdersRepository } from './orders.repository.js';
import { Refund } from './refund.entity.js';

/**
 * Records what Stripe did with a refund, once, whoever learns it first (the API call's answer or
 * the charge.refunded webhook): the refund succeeds, the order's refunded amount and status move,
 * and the refund is booked (key `refund:<stripeRefundId>`); a refund that fails at Stripe after
 * that is undone (undoFailed).
 */
@Injectable()
export class RefundSettlementService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly ledger: LedgerService,
  ) {}

  /** Settles a pending refund row with Stripe's refund. Idempotent: a settled refund is left alone. */
  async settle(tx: EntityManager, refundId: string, stripe: RefundSnapshot): Promise<Refund | null> {
    const refund = await tx.findOne(Refund, { where: { id: refundId }, lock: { mode: 'pessimistic_write' } });
    if (!refund || refund.status !== 'pending') return refund;
    const order = (await this.orders.lock(tx, refund.orderId))!;
    if (stripe.status !== 'succeeded' && stripe.status !== 'failed' && stripe.status !== 'canceled') {
      // still pending at Stripe: remember which refund it is; refund.updated (or the recovery worker) settles it
      await tx.update(Refund, { id: refund.id }, { stripeRefundId: stripe.id });
      return tx.findOneBy(Refund, { id: refund.id });
    }
    if (stripe.status === 'failed' || stripe.status === 'canceled') {
      await tx.update(Refund, { id: refund.id }, { status: 'failed', stripeRefundId: stripe.id, failureMessage: failureMessage(stripe) });
      return tx.findOneBy(Refund, { id: refund.id });
    }
    await tx.update(Refund, { id: refund.id }, { status: 'succeeded', stripeRefundId: stripe.id, transferReversalId: stripe.transferReversalId, transferReversalAmount: stripe.transferReversalAmount });
    await this.book(tx, order, refund.amount, refund.applicationFeeRefund, stripe);
    return tx.findOneBy(Refund, { id: refund.id });
  }

  /**
   * A refund booked as succeeded that Stripe reports failed or canceled later (e.g. the card was
   * closed; the money came back to the platform balance): the refund fails with Stripe's reason
   * (succeeded -> failed only), its entry is reversed (key `refund-failed:<re>`) and the order's
   * refunded amount and status go back, and the seller's share Stripe kept (reversal - fee refund,
   * when positive) is marked for return (`failure_return_status = pending`, the payments worker
   * transfers it). Anything else (not ours to undo, already undone) is left alone.
   */
  async undoFailed(tx: EntityManager, refundId: string, stripe: RefundSnapshot): Promise<Refund | null> {
    const refund = await tx.findOne(Refund, { where: { id: refundId }, lock: { mode: 'pessimistic_write' } });
    if (!refund || refund.status !== 'succeeded' || (stripe.status !== 'failed' && stripe.status !== 'canceled')) return refund;
    const order = (await this.orders.lock(tx, refund.orderId))!;
    // Stripe keeps the transfer reversal and the fee refund: the seller's share they took sits in
    // the platform balance; the payments worker transfers it back (RefundFailureReturnService)
    const toReturn = reversedFromSeller(refund.amount, refund.transferReversalId, refund.transferReversalAmount) - refund.applicationFeeRefund;
    await tx.update(
      Refund,
      { id: refund.id, status: 'succeeded' },
      { status: 'failed', failureMessage: failureMessage(stripe), ...(toReturn > 0n ? { failureReturnStatus: 'pending' as const, failureReturnAmount: toReturn } : {}) },
    );
    const bookedKey = `refund:${stripe.id}`;
    const booked = (await this.ledger.entriesByReference('order', order.id, tx)).find((e) => e.idempotencyKey === bookedKey);
    if (!booked) throw new Error(`refund ${refund.id} is succeeded but its entry ${bookedKey} is missing`);
    await this.ledger.reverse(tx, booked.id, `refund-failed:${stripe.id}`, `refund ${stripe.id} ${stripe.status} at Stripe (${stripe.failureReason ?? 'no reason given'})`);
    const refunded = order.amountRefunded - refund.amount;
    if (order.status === 'disputed') await tx.update('orders', { id: order.id }, { amountRefunded: refunded });
    else {
      const to = statusAfterRefunds(order.amountTotal, refunded);
      if (!(await this.orders.transition(tx, order.id, to, { amountRefunded: refunded }))) throw new OrderTransitionError(order.id, order.status, to);
    }
    return tx.findOneBy(Refund, { id: refund.id });
  }

  /** The application fee returned so far by the order's settled refunds. */
  async applicationFeeRefunded(tx: EntityManager, orderId: string): Promise<bigint> {
    const [row]: { sum: string }[] = await tx.query(`SELECT coalesce(sum(application_fee_refund), 0)::text AS sum FROM refunds WHERE order_id = $1 AND status = 'succeeded'`, [orderId]);
    return BigInt(row!.sum);
  }

  /** A refund made outside our API (e.g. the Dashboard): recorded from Stripe and booked. */
  async recordExternal(tx: EntityManager, order: Order, stripe: RefundSnapshot, applicationFeeRefund: bigint): Promise<void> {
    const inserted: { id: string }[] = await tx.query(
      `INSERT INTO refunds (order_id, status, source, amount, currency, reason, application_fee_refund, transfer_reversal_amount, stripe_refund_id, transfer_reversal_id)
       VALUES ($1, 'succeeded', 'stripe', $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT DO NOTHING RETURNING id`,
      [order.id, stripe.amount.toString(), order.currency, stripe.reason, applicationFeeRefund.toString(), stripe.transferReversalAmount?.toString() ?? null, stripe.id, stripe.transferReversalId],
    );
    if (inserted.length === 1) await this.book(tx, order, stripe.amount, applicationFeeRefund, stripe);
  }

  private async book(tx: EntityManager, order: Order, amount: bigint, feeRefund: bigint, stripe: RefundSnapshot): Promise<void> {
    const stripeRefundId = stripe.id;
    const reversed = reversedFromSeller(amount, stripe.transferReversalId, stripe.transferReversalAmount);
    const refunded = order.amountRefunded + amount;
    const to = order.status === 'disputed' ? 'disputed' : statusAfterRefunds(order.amountTotal, refunded);
    if (to === 'disputed') await tx.update('orders', { id: order.id }, { amountRefunded: refunded });
    else await this.orders.transition(tx, order.id, to, { amountRefunded: refunded });
    order.amountRefunded = refunded;
    const sellers = await this.orders.sellersOf(tx, order.id);
    await this.ledger.post(tx, {
      kind: LEDGER_ENTRY_KINDS.refund,
      reference: { type: 'order', id: order.id },
      idempotencyKey: `refund:${stripeRefundId}`,
      description: `Refund ${stripeRefundId} of order ${order.id}`,
      lines: refundLines({
        refund: Money.of(amount, order.currency),
        applicationFeeRefund: Money.of(feeRefund, order.currency),
        sellerId: sellers[0]!.sellerId,
        reversed: Money.of(reversed, order.currency),
      }),
    });
  }
}

/** What a refund's transfer reversal really pulled back from the seller, at most the refund (none: the platform bore it). */
function reversedFromSeller(amount: bigint, transferReversalId: string | null, transferReversalAmount: bigint | null): bigint {
  const reversed = transferReversalId ? (transferReversalAmount ?? amount) : 0n;
  return reversed < amount ? reversed : amount;
}

function failureMessage(stripe: RefundSnapshot): string {
  return `Stripe refund ${stripe.status}${stripe.failureReason ? `: ${stripe.failureReason}` : ''}`;
}
