import type { FeeRefundSnapshot, RefundSnapshot } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LEDGER_ENTRY_KINDS, LedgerService, refundFailedLines, refundLines, separateChargeRefundFailedLines, separateChargeRefundLines } from '../../ledger/index.js';
import { RefundReversalsPlanner } from '../../transfers/index.js';
import { OrderTransitionError, statusAfterRefunds } from '../orders/order-status.js';
import type { Order } from '../orders/order.entity.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { PaymentsConfig } from '../payments.config.js';
import { RefundTransitionError, type RefundMove } from './refund-status.js';
import { Refund } from './refund.entity.js';
import { RefundsRepository, type RefundChanges, type RefundMoveFrom } from './refunds.repository.js';
import type { StripeRefundFacts } from './stripe-refund-reader.js';
import { feeRefundMadeWith } from './fee-refund-matching.js';

/**
 * Records what Stripe did with a refund, once, whoever learns it first (the API call's answer or
 * the charge.refunded webhook): the refund succeeds, the order's refunded amount and status move,
 * and the refund is booked from Stripe's own objects (key `refund:<stripeRefundId>`): the refund's
 * balance transaction, the transfer reversal on both balances, and the application-fee refunds
 * Stripe made that are not booked yet. A refund that fails at Stripe after that is undone from its
 * refund_failure balance transaction (undoFailed). The order is locked before its refunds, everywhere.
 * When the seller's funds came back to them by a return transfer (a won dispute, a failed refund's
 * return) and REFUND_AFTER_RETURN=reverse_return, the refund also marks `return_reversal_status =
 * pending`: the charge's transfer may no longer hold the seller's share, so the payments worker
 * reverses the return transfer by what the refund's own reversal did not pull back.
 */
@Injectable()
export class RefundSettlementService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly ledger: LedgerService,
    private readonly config: PaymentsConfig,
    private readonly refunds: RefundsRepository,
    private readonly reversals: RefundReversalsPlanner,
  ) {}

  /**
   * Stripe refused to make a pending refund (a definitive refusal of the create call, or an old key
   * and no such refund at Stripe): it fails, and what its plan lowered of the sellers' unsent
   * transfers goes back to them (RefundReversalsPlanner.cancel), in one transaction. Returns whether it moved.
   */
  async refused(tx: EntityManager, refundId: string, failureMessage: string): Promise<boolean> {
    const locked = await this.lockWithOrder(tx, refundId);
    if (locked?.refund.status !== 'pending') return false;
    const moved = await this.refunds.transition(tx, refundId, { status: 'failed' }, { failureMessage }, { status: 'pending' });
    if (moved) await this.reversals.cancel(tx, refundId);
    return moved;
  }

  /** Settles a pending refund row with Stripe's refund. Idempotent: a settled refund is left alone. */
  async settle(tx: EntityManager, refundId: string, facts: StripeRefundFacts): Promise<Refund | null> {
    const locked = await this.lockWithOrder(tx, refundId);
    if (!locked) return null;
    const { order, refund } = locked;
    if (refund.status !== 'pending') return refund;
    const stripe = facts.refund;
    if (stripe.status !== 'succeeded' && stripe.status !== 'failed' && stripe.status !== 'canceled') {
      // still pending at Stripe: remember which refund it is; refund.updated (or the recovery worker) settles it
      await tx.update(Refund, { id: refund.id }, { stripeRefundId: stripe.id });
      return tx.findOneBy(Refund, { id: refund.id });
    }
    if (stripe.status === 'failed' || stripe.status === 'canceled') {
      if (madeThenFailed(stripe)) {
        // Stripe made it (the reversal and the fee refund are done and stay) and failed it before we
        // booked it: both are booked, as Stripe did them, and the seller's share goes back
        const booked = await this.book(tx, order, refund.amount, facts, refund.id);
        await this.move(
          tx,
          refund.id,
          { status: 'succeeded', ...booked.returnReversal },
          { stripeRefundId: stripe.id, transferReversalId: stripe.transferReversalId, transferReversalAmount: booked.reversed, applicationFeeRefund: booked.feeReturned },
        );
        return this.undoFailed(tx, refund.id, stripe);
      }
      await this.move(tx, refund.id, { status: 'failed' }, { stripeRefundId: stripe.id, failureMessage: failureMessage(stripe) }, { status: 'pending' });
      await this.reversals.cancel(tx, refund.id);
      return tx.findOneBy(Refund, { id: refund.id });
    }
    const booked = await this.book(tx, order, refund.amount, facts, refund.id);
    await this.move(
      tx,
      refund.id,
      { status: 'succeeded', ...booked.returnReversal },
      { stripeRefundId: stripe.id, transferReversalId: stripe.transferReversalId, transferReversalAmount: booked.reversed, applicationFeeRefund: booked.feeReturned },
    );
    return tx.findOneBy(Refund, { id: refund.id });
  }

  /**
   * A refund booked as succeeded that Stripe reports failed or canceled later (e.g. the card was
   * closed; the money came back to the platform balance): the refund fails with Stripe's reason
   * (succeeded -> failed only), the refund_failure balance transaction is booked (key
   * `refund-failed:<re>`), the order's refunded amount and status go back, and the seller's share
   * Stripe kept (reversal - fee refund, as booked from Stripe's objects) is marked for return
   * (`failure_return_status = pending`, the payments worker transfers it). Anything else is left alone.
   */
  async undoFailed(tx: EntityManager, refundId: string, stripe: RefundSnapshot): Promise<Refund | null> {
    if (stripe.status !== 'failed' && stripe.status !== 'canceled') return null;
    const locked = await this.lockWithOrder(tx, refundId);
    if (locked?.refund.status !== 'succeeded') return locked?.refund ?? null;
    const { order, refund } = locked;
    const failure = stripe.failureBalanceTransaction;
    if (!failure) throw new Error(`refund ${stripe.id} is ${stripe.status} at Stripe without a failure balance transaction to book`);
    if (order.chargeType !== 'destination') return this.undoFailedSeparate(tx, order, refund, stripe, failure);
    // what the refund took from the seller: its transfer reversal and, once made, the reversal of the
    // order's return transfer (REFUND_AFTER_RETURN); one not made yet is not made any more
    const returnReversed = refund.returnReversedTotal;
    const reversed = (refund.transferReversalAmount ?? 0n) + returnReversed;
    // Stripe keeps the transfer reversal and the fee refund: the seller's share they took sits in
    // the platform balance; the payments worker transfers it back (RefundFailureReturnService)
    const toReturn = reversed - refund.applicationFeeRefund;
    // a return reversal not planned yet is not made any more; one planned may have been made at
    // Stripe already: it stays pending and the worker settles it (found and booked, or none), then
    // releases the failure return (held until then, so its amount can still grow by that reversal)
    const pendingReversal = refund.returnReversalStatus === 'pending';
    const inFlight = pendingReversal && refund.returnReversalAmount !== null;
    const cancelReversal = pendingReversal && !inFlight;
    const holdReturn = inFlight ? { failureReturnNextAttemptAt: new Date(Date.now() + RETURN_HOLD_MS) } : {};
    await this.move(
      tx,
      refund.id,
      { status: 'failed', ...(toReturn > 0n ? { failureReturn: 'pending' as const } : {}), ...(cancelReversal ? { returnReversal: 'none' as const } : {}) },
      {
        failureMessage: failureMessage(stripe),
        ...(toReturn > 0n ? { failureReturnAmount: toReturn, ...holdReturn } : {}),
        ...(cancelReversal ? { returnReversalNextAttemptAt: null } : {}),
        ...(inFlight ? { returnReversalNextAttemptAt: null } : {}),
      },
      { status: 'succeeded', failureReturn: null, ...(cancelReversal ? { returnReversal: 'pending' as const } : {}) },
    );
    const [seller] = await this.orders.sellersOf(tx, order.id);
    await this.ledger.post(tx, {
      kind: LEDGER_ENTRY_KINDS.refundFailed,
      reference: { type: 'order', id: order.id },
      idempotencyKey: `refund-failed:${stripe.id}`,
      description: `Refund ${stripe.id} ${stripe.status} at Stripe (${stripe.failureReason ?? 'no reason given'})`,
      lines: refundFailedLines({ sellerId: seller!.sellerId, failure: { objectId: stripe.id, txn: failure }, reversed, feeReturned: refund.applicationFeeRefund }),
    });
    await this.takeBackRefunded(tx, order, refund.amount);
    return tx.findOneBy(Refund, { id: refund.id });
  }

  /**
   * undoFailed for a multi-seller order: the refund_failure transaction is booked and the refund's
   * loss undone (`refund-failed:<re>`), reversals Stripe never heard of are canceled, and the
   * payments worker gives each seller back what the refund took from them
   * (`failure_return_status = pending`: RefundFailureReturnService, once the reversals in flight
   * are settled: RefundReversalsPlanner.returnForFailedRefund).
   */
  private async undoFailedSeparate(tx: EntityManager, order: Order, refund: Refund, stripe: RefundSnapshot, failure: NonNullable<RefundSnapshot['failureBalanceTransaction']>): Promise<Refund | null> {
    await this.move(
      tx,
      refund.id,
      { status: 'failed', failureReturn: 'pending' },
      { failureMessage: failureMessage(stripe), failureReturnNextAttemptAt: null },
      { status: 'succeeded', failureReturn: null },
    );
    await this.reversals.cancelUnsentForFailedRefund(tx, refund.id);
    await this.ledger.post(tx, {
      kind: LEDGER_ENTRY_KINDS.refundFailed,
      reference: { type: 'order', id: order.id },
      idempotencyKey: `refund-failed:${stripe.id}`,
      description: `Refund ${stripe.id} of multi-seller order ${order.id} ${stripe.status} at Stripe (${stripe.failureReason ?? 'no reason given'})`,
      lines: separateChargeRefundFailedLines({ failure: { objectId: stripe.id, txn: failure } }),
    });
    await this.takeBackRefunded(tx, order, refund.amount);
    return tx.findOneBy(Refund, { id: refund.id });
  }

  /**
   * A refund made outside our API that Stripe still reports pending: recorded pending (nothing is
   * booked until Stripe says the money went back), so its later events settle it like one of ours.
   * While an API refund of the order is pending the row waits: it is recorded when it succeeds.
   */
  async recordExternalPending(tx: EntityManager, order: Order, stripe: RefundSnapshot): Promise<void> {
    await tx.query(
      `INSERT INTO refunds (order_id, status, source, amount, currency, reason, application_fee_refund, stripe_refund_id, transfer_reversal_id)
       VALUES ($1, 'pending', 'stripe', $2, $3, $4, 0, $5, $6)
       ON CONFLICT DO NOTHING`,
      [order.id, stripe.amount.toString(), order.currency, stripe.reason, stripe.id, stripe.transferReversalId],
    );
  }

  /** A refund made outside our API (e.g. the Dashboard): recorded from Stripe and booked. Call with the order locked. */
  async recordExternal(tx: EntityManager, order: Order, facts: StripeRefundFacts): Promise<void> {
    const stripe = facts.refund;
    const inserted: { id: string }[] = await tx.query(
      `INSERT INTO refunds (order_id, status, source, amount, currency, reason, application_fee_refund, transfer_reversal_amount, stripe_refund_id, transfer_reversal_id)
       VALUES ($1, 'succeeded', 'stripe', $2, $3, $4, 0, NULL, $5, $6)
       ON CONFLICT DO NOTHING RETURNING id`,
      [order.id, stripe.amount.toString(), order.currency, stripe.reason, stripe.id, stripe.transferReversalId],
    );
    if (inserted.length === 0) return;
    const booked = await this.book(tx, order, stripe.amount, facts, inserted[0]!.id);
    const changes = { applicationFeeRefund: booked.feeReturned, transferReversalAmount: booked.reversed };
    if (booked.returnReversal.returnReversal) await this.move(tx, inserted[0]!.id, booked.returnReversal, changes, { returnReversal: null });
    else await tx.update(Refund, { id: inserted[0]!.id }, changes);
    // made and already failed at Stripe before we saw it: its failure is booked too
    if (stripe.status !== 'succeeded') await this.undoFailed(tx, inserted[0]!.id, stripe);
  }

  /**
   * The fee refund Stripe made with this refund, among those not booked yet: matched against every
   * fee-refunding event of the charge not booked yet (its other refunds, its dispute recoveries),
   * so a refund never takes another's (matchFeeRefunds).
   */
  private feeRefundOf(tx: EntityManager, order: Order, facts: StripeRefundFacts, unbooked: FeeRefundSnapshot[]): Promise<FeeRefundSnapshot | null> {
    return feeRefundMadeWith(tx, {
      orderId: order.id,
      fee: order.applicationFeeTotal,
      orderTotal: order.amountTotal,
      transferAmount: facts.transferAmount,
      self: { ...facts.refund, kind: 'refund' },
      refunds: facts.chargeRefunds,
      reversals: facts.recoveryReversals,
      candidates: unbooked,
    });
  }

  // the refund is locked and was read in the from-status: not moving is a bug
  private async move(tx: EntityManager, refundId: string, move: RefundMove, changes: RefundChanges, from: RefundMoveFrom = {}): Promise<void> {
    if (!(await this.refunds.transition(tx, refundId, move, changes, from))) throw new RefundTransitionError(refundId, move);
  }

  /** Order first, then the refund: the same lock order as RefundsService, so the two never deadlock. */
  private async lockWithOrder(tx: EntityManager, refundId: string): Promise<{ order: Order; refund: Refund } | null> {
    const found = await tx.findOneBy(Refund, { id: refundId });
    if (!found) return null;
    const order = (await this.orders.lock(tx, found.orderId))!;
    const refund = (await tx.findOne(Refund, { where: { id: refundId }, lock: { mode: 'pessimistic_write' } }))!;
    return { order, refund };
  }

  private async book(
    tx: EntityManager,
    order: Order,
    amount: bigint,
    facts: StripeRefundFacts,
    refundId: string,
  ): Promise<{ reversed: bigint; feeReturned: bigint; returnReversal: { returnReversal?: 'pending' } }> {
    const stripe = facts.refund;
    if (!stripe.balanceTransaction) throw new Error(`refund ${stripe.id}: its balance transaction was not read`);
    const reversal = stripe.transferReversal;
    if (reversal && (!reversal.balanceTransaction || !facts.reversalOnSellerAccount)) throw new Error(`refund ${stripe.id}: transfer reversal ${reversal.id} was not read on both balances`);
    if (order.chargeType !== 'destination') return this.bookSeparate(tx, order, amount, facts.refund, refundId);
    const [seller] = await this.orders.sellersOf(tx, order.id);
    const ids = facts.feeRefunds.map((f) => f.id);
    const already: Array<{ id: string }> = ids.length ? await tx.query(`SELECT DISTINCT stripe_object_id AS id FROM ledger_lines WHERE stripe_object_id = ANY($1)`, [ids]) : [];
    const bookedIds = new Set(already.map((r) => r.id));
    const unbooked = facts.feeRefunds.filter((f) => !bookedIds.has(f.id) && f.balanceTransaction);
    const mine = await this.feeRefundOf(tx, order, facts, unbooked);
    const feeRefunds = mine ? [{ objectId: mine.id, txn: mine.balanceTransaction! }] : [];
    await this.addRefunded(tx, order, amount);
    await this.ledger.post(tx, {
      kind: LEDGER_ENTRY_KINDS.refund,
      reference: { type: 'order', id: order.id },
      idempotencyKey: `refund:${stripe.id}`,
      description: `Refund ${stripe.id} of order ${order.id}`,
      lines: refundLines({
        seller: { kind: 'connected', sellerId: seller!.sellerId, account: seller!.stripeAccountId },
        refund: { objectId: stripe.id, txn: stripe.balanceTransaction },
        reversal: reversal
          ? { platform: { objectId: reversal.id, txn: reversal.balanceTransaction! }, connected: { objectId: reversal.destinationPaymentRefundId ?? reversal.id, txn: facts.reversalOnSellerAccount! } }
          : null,
        feeRefunds,
      }),
    });
    return {
      reversed: reversal?.balanceTransaction?.net ?? 0n,
      feeReturned: feeRefunds.reduce((sum, f) => sum - f.txn.net, 0n),
      returnReversal: (await this.hasReturnTransfer(tx, order.id)) ? { returnReversal: 'pending' } : {},
    };
  }

  /** A failed refund's amount leaves the order's refunded amount and its status follows back (a disputed order stays disputed). */
  private async takeBackRefunded(tx: EntityManager, order: Order, amount: bigint): Promise<void> {
    const refunded = order.amountRefunded - amount;
    if (order.status === 'disputed') await tx.update('orders', { id: order.id }, { amountRefunded: refunded });
    else {
      const to = statusAfterRefunds(order.amountTotal, refunded);
      if (!(await this.orders.transition(tx, order.id, to, { amountRefunded: refunded }))) throw new OrderTransitionError(order.id, order.status, to);
    }
  }

  /** The order's refunded amount grows and its status follows (a disputed order stays disputed). */
  private async addRefunded(tx: EntityManager, order: Order, amount: bigint): Promise<void> {
    const refunded = order.amountRefunded + amount;
    const to = order.status === 'disputed' ? 'disputed' : statusAfterRefunds(order.amountTotal, refunded);
    if (to === 'disputed') await tx.update('orders', { id: order.id }, { amountRefunded: refunded });
    else await this.orders.transition(tx, order.id, to, { amountRefunded: refunded });
    order.amountRefunded = refunded;
  }

  /**
   * A multi-seller charge's refund: the platform refunded its own charge; each seller's part
   * (planned with the intent, or now for a refund made elsewhere) lowered a transfer not sent yet
   * (booked here) or becomes a due reversal (booked when Stripe makes it; the platform bears it
   * until then, refund_losses).
   */
  private async bookSeparate(
    tx: EntityManager,
    order: Order,
    amount: bigint,
    stripe: RefundSnapshot,
    refundId: string,
  ): Promise<{ reversed: bigint; feeReturned: bigint; returnReversal: { returnReversal?: 'pending' } }> {
    if (!stripe.balanceTransaction) throw new Error(`refund ${stripe.id}: its balance transaction was not read`);
    const parts = await this.reversals.activate(tx, { orderId: order.id, refundId, gross: order.amountTotal, refundedBefore: order.amountRefunded, refund: amount });
    await this.addRefunded(tx, order, amount);
    await this.ledger.post(tx, {
      kind: LEDGER_ENTRY_KINDS.refund,
      reference: { type: 'order', id: order.id },
      idempotencyKey: `refund:${stripe.id}`,
      description: `Refund ${stripe.id} of multi-seller order ${order.id}`,
      lines: separateChargeRefundLines({ refund: { objectId: stripe.id, txn: stripe.balanceTransaction }, lowered: parts.lowered, debts: parts.debts }),
    });
    return { reversed: 0n, feeReturned: 0n, returnReversal: {} };
  }

  /** The seller's funds came back by a transfer of their own (a won dispute's return, a failed refund's), and the policy takes refunds from it. */
  private async hasReturnTransfer(tx: EntityManager, orderId: string): Promise<boolean> {
    if (this.config.REFUND_AFTER_RETURN !== 'reverse_return') return false;
    const rows: unknown[] = await tx.query(
      // made, or still to be made (a return waiting for funds, a won dispute's return going out)
      `SELECT 1 FROM disputes WHERE order_id = $1 AND (return_transfer_id IS NOT NULL OR recovery_status = 'returning')
        UNION ALL
       SELECT 1 FROM refunds WHERE order_id = $1 AND (failure_return_transfer_id IS NOT NULL OR failure_return_status = 'pending') LIMIT 1`,
      [orderId],
    );
    return rows.length > 0;
  }
}

// how long a failed refund's return waits for its in-flight return reversal to be settled (the
// reversal worker releases it as soon as it has; this only bounds a stuck one)
const RETURN_HOLD_MS = 24 * 3600 * 1000;

/** A refund Stripe made and then failed: its money moved and came back (refund_failure). */
export function madeThenFailed(stripe: RefundSnapshot): boolean {
  return (stripe.status === 'failed' || stripe.status === 'canceled') && stripe.balanceTransaction !== null && stripe.failureBalanceTransaction !== null;
}

function failureMessage(stripe: RefundSnapshot): string {
  return `Stripe refund ${stripe.status}${stripe.failureReason ? `: ${stripe.failureReason}` : ''}`;
}
