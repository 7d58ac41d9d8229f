import { amountGranularity } from '@app/money';
import { idempotencyKey, idempotencyKeyMayBeForgotten, StripeGateway, StripeGatewayError, type RefundSnapshot } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '../../common/domain-error.js';
import { IdempotencyErrors, isUniqueViolation } from '../../common/idempotency/idempotency.errors.js';
import { refuseWhenBusy } from '../../common/service-busy.js';
import { RefundReversalsPlanner } from '../../transfers/index.js';
import type { Principal } from '../../identity/principal.entity.js';
import { Order } from '../orders/order.entity.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { PaymentsConfig } from '../payments.config.js';
import { PaymentsErrors } from '../payments.errors.js';
import { stripeRefundReason } from './refund-math.js';
import { StripeRefundReader, type StripeRefundFacts } from './stripe-refund-reader.js';
import { RefundSettlementService } from './refund-settlement.service.js';
import { Refund } from './refund.entity.js';

/** A pending refund whose key may be forgotten and that Stripe has no refund for: it never happened. */
export const NOT_FOUND_AFTER_KEY_EXPIRY = 'not found at Stripe after 23 h';

export interface RefundInput {
  /** Minor units; or `full: true` for all that remains (exactly one of the two). */
  amount?: string;
  full?: boolean;
  reason?: string;
}

/**
 * POST /orders/:id/refunds. Transaction 1 checks what remains and records the refund (pending;
 * one at a time per order; bound to the caller's Idempotency-Key), Stripe refunds with key
 * `refund:<refundId>` (reverse_transfer, and refund_application_fee per REFUND_APPLICATION_FEE),
 * transaction 2 settles it. A multi-seller order's refund is the platform's (no reverse_transfer):
 * transaction 1 also plans each seller's part (RefundReversalsPlanner), lowering transfers not sent yet. A retry or a takeover with the same Idempotency-Key resumes that refund.
 */
@Injectable()
export class RefundsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersRepository,
    private readonly gateway: StripeGateway,
    private readonly settlement: RefundSettlementService,
    private readonly config: PaymentsConfig,
    private readonly reader: StripeRefundReader,
    private readonly reversals: RefundReversalsPlanner,
  ) {}

  async refund(principal: Principal, orderId: string, input: RefundInput, requestKey: string): Promise<Refund> {
    if (input.amount !== undefined && input.full === true) throw PaymentsErrors.refundAmountAndFull();
    if (input.amount === undefined && input.full !== true) throw PaymentsErrors.refundAmountRequired();
    const recorded = await this.db
      .transaction(async (tx) => {
        const order = await this.orders.lock(tx, orderId);
        // under the order's lock: the refund this key already recorded (a retry, a takeover) is resumed, never made again
        const bound = await tx.findOneBy(Refund, { principalId: principal.id, idempotencyKey: requestKey });
        if (bound) return { bound };
        const sellers = order ? await this.orders.sellersOf(tx, orderId) : [];
        this.assertMayRefund(
          principal,
          order,
          sellers.map((s) => s.sellerId),
          orderId,
        );
        const found = order!;
        if (found.status !== 'paid' && found.status !== 'partially_refunded') throw PaymentsErrors.notRefundable(found.id, found.status);
        const pending = await tx.findOneBy(Refund, { orderId, status: 'pending' });
        if (pending) throw PaymentsErrors.refundInProgress(orderId, pending.id);
        const remaining = found.amountTotal - found.amountRefunded;
        const amount = input.full === true ? remaining : BigInt(input.amount!);
        if (amount < 1n) throw PaymentsErrors.invalidRefundAmount();
        const granularity = amountGranularity(found.currency);
        if (amount % granularity !== 0n) throw PaymentsErrors.refundGranularity(found.id, found.currency, amount, granularity);
        if (amount > remaining) throw PaymentsErrors.refundTooLarge(found.id, amount, remaining);
        const row = await tx.save(
          tx.create(Refund, {
            orderId,
            status: 'pending',
            source: 'api',
            amount,
            currency: found.currency,
            reason: input.reason ?? null,
            // what Stripe refunds of the fee is booked from its fee refunds when the refund settles
            applicationFeeRefund: 0n,
            transferReversalAmount: null,
            stripeRefundId: null,
            transferReversalId: null,
            requestedBy: principal.id,
            failureMessage: null,
            principalId: principal.id,
            idempotencyKey: requestKey,
            // a multi-seller charge has no application fee at Stripe: the sellers' parts are reversed from their transfers
            stripeRefundApplicationFee: found.chargeType === 'destination' && this.config.REFUND_APPLICATION_FEE === 'proportional' && found.applicationFeeTotal > 0n,
          }),
        );
        // multi-seller: each seller's part planned now, a transfer never sent lowered in this very transaction
        if (found.chargeType !== 'destination') await this.reversals.plan(tx, { orderId, refundId: row.id, gross: found.amountTotal, refundedBefore: found.amountRefunded, refund: amount });
        return { refund: row, order: found };
      })
      .catch(async (error: unknown) => {
        // another request with this key (on another order) recorded its refund first
        // no pooled connection in time for transaction 1: nothing was written, 503 SERVICE.BUSY
        if (!isUniqueViolation(error, 'refunds_idempotency_key_idx')) refuseWhenBusy(error);
        return { bound: (await this.db.getRepository(Refund).findOneBy({ principalId: principal.id, idempotencyKey: requestKey }))! };
      });
    if (recorded.bound) return this.resume(recorded.bound, orderId);
    return this.finish(recorded.order!, recorded.refund!);
  }

  /**
   * The refund a key recorded: settled, it is the answer; still pending, its Stripe call is made
   * again with the same key while that key is fresh. Never created again otherwise, as the recovery
   * worker does: when Stripe answered already (it holds the refund pending) it is read by its id,
   * and once its key may be forgotten (23 h) it is looked up by metadata.refund_id (none: it never
   * happened, refused). A create resent to a Stripe that pruned the key is a second refund.
   */
  private async resume(refund: Refund, orderId: string): Promise<Refund> {
    if (refund.orderId !== orderId) throw IdempotencyErrors.keyReused();
    if (refund.status !== 'pending') return refund;
    const order = (await this.db.getRepository(Order).findOneBy({ id: refund.orderId }))!;
    if (!refund.stripeRefundId && !idempotencyKeyMayBeForgotten(refund.createdAt)) return this.finish(order, refund);
    const stripe = await (refund.stripeRefundId ? this.retrieveAtStripe(refund.stripeRefundId) : this.findAtStripe(order, refund)).catch((error: unknown) => {
      throw providerFailed(refund.id, error);
    });
    if (!stripe) {
      await this.db.transaction((tx) => this.settlement.refused(tx, refund.id, NOT_FOUND_AFTER_KEY_EXPIRY));
      return (await this.db.getRepository(Refund).findOneBy({ id: refund.id }))!;
    }
    return this.settleWith(order, refund, stripe);
  }

  /** Transaction 2 with Stripe's refund: its facts read first (unreadable: it stays pending for the webhook or the recovery, 503). */
  private async settleWith(order: Order, refund: Refund, stripe: RefundSnapshot): Promise<Refund> {
    const facts = await this.readAtStripe(order, stripe).catch((error: unknown) => {
      throw providerFailed(refund.id, error);
    });
    return (await this.db.transaction((tx) => this.settlement.settle(tx, refund.id, facts)))!;
  }

  private async finish(order: Order, refund: Refund): Promise<Refund> {
    let stripe: RefundSnapshot;
    try {
      stripe = await this.createAtStripe(order, refund);
    } catch (error) {
      // Stripe still has the key in flight: another request (or the recovery worker) is making this very refund
      if (error instanceof StripeGatewayError && error.code === 'STRIPE.IDEMPOTENCY_CONFLICT' && error.info.httpStatus === 409) throw IdempotencyErrors.inFlight();
      const message = error instanceof Error ? error.message : String(error);
      // only a definite refusal fails the refund; anything else (unknown outcome, the key still in
      // flight elsewhere, Stripe unreachable) stays pending for the webhook or the recovery worker
      if (error instanceof StripeGatewayError && error.definitiveRefusal) {
        // a refund settled meanwhile (the webhook) is left as it is; the sellers' lowered transfers are given back
        await this.db.transaction((tx) => this.settlement.refused(tx, refund.id, message));
      }
      throw providerFailed(refund.id, error);
    }
    return this.settleWith(order, refund, stripe);
  }

  /** Everything Stripe moved for this refund (read before the settling transaction). */
  async readAtStripe(order: Order, stripe: RefundSnapshot): Promise<StripeRefundFacts> {
    const [seller] = await this.orders.sellersOf(this.db.manager, order.id);
    return this.reader.readWithCharge(stripe, seller?.stripeAccountId ?? null);
  }

  /** The Stripe call of a recorded refund; the same key every time, so a retry is the same refund. */
  createAtStripe(order: Order, refund: Refund): Promise<RefundSnapshot> {
    return this.gateway.createRefund(
      {
        chargeId: order.chargeId!,
        amount: refund.amount,
        reason: stripeRefundReason(refund.reason),
        // reverse_transfer is for destination charges only: a multi-seller charge's transfers are reversed one by one
        reverseTransfer: order.chargeType === 'destination',
        refundApplicationFee: order.chargeType === 'destination' && (refund.stripeRefundApplicationFee ?? (this.config.REFUND_APPLICATION_FEE === 'proportional' && order.applicationFeeTotal > 0n)),
        metadata: { order_id: order.id, refund_id: refund.id },
      },
      idempotencyKey('refund', refund.id),
    );
  }

  retrieveAtStripe(stripeRefundId: string): Promise<RefundSnapshot> {
    return this.gateway.retrieveRefund(stripeRefundId);
  }

  /** The refund Stripe made for this row, found by metadata.refund_id among the charge's refunds (for a key Stripe may have forgotten). */
  async findAtStripe(order: Order, refund: Refund): Promise<RefundSnapshot | null> {
    const all = await this.gateway.listRefunds(order.chargeId!);
    return all.find((r) => r.metadata.refund_id === refund.id) ?? null;
  }

  /** Admins; the seller of a single-seller order when SELLERS_MAY_REFUND; anyone else: as if missing. */
  private assertMayRefund(principal: Principal, order: Order | null, sellerIds: string[], orderId: string): void {
    if (!order) throw new NotFoundError('Order', orderId);
    if (principal.role === 'admin') return;
    if (principal.role !== 'seller' || !sellerIds.includes(principal.id)) throw new NotFoundError('Order', orderId);
    if (!this.config.SELLERS_MAY_REFUND) throw PaymentsErrors.sellerRefundsDisabled();
    if (order.chargeType !== 'destination') throw PaymentsErrors.multiSellerRefund(order.id);
  }
}

/** Stripe did not confirm the refund (unknown outcome, or its facts unreadable): it stays on record, 503. */
function providerFailed(refundId: string, error: unknown) {
  return PaymentsErrors.refundFailed(refundId, error instanceof StripeGatewayError ? error.code : 'UNKNOWN', error);
}
