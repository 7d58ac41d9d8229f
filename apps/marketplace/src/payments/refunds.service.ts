import { idempotencyKey, StripeGateway, StripeGatewayError, type RefundSnapshot } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '../common/domain-error.js';
import { refuseWhenBusy } from '../common/service-busy.js';
import type { Principal } from '../identity/principal.entity.js';
import type { Order } from './order.entity.js';
import { OrdersRepository } from './orders.repository.js';
import { PaymentsConfig } from './payments.config.js';
import { PaymentsErrors } from './payments.errors.js';
import { applicationFeeRefund, stripeRefundReason } from './refund-math.js';
import { RefundSettlementService } from './refund-settlement.service.js';
import { Refund } from './refund.entity.js';

export interface RefundInput {
  amount?: string;
  reason?: string;
}

/**
 * POST /orders/:id/refunds. Transaction 1 checks what remains and records the refund (pending;
 * one at a time per order), Stripe refunds with key `refund:<refundId>` (reverse_transfer, and
 * refund_application_fee per REFUND_APPLICATION_FEE), transaction 2 settles it.
 */
@Injectable()
export class RefundsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersRepository,
    private readonly gateway: StripeGateway,
    private readonly settlement: RefundSettlementService,
    private readonly config: PaymentsConfig,
  ) {}

  async refund(principal: Principal, orderId: string, input: RefundInput): Promise<Refund> {
    // no pooled connection in time for transaction 1: nothing was written, 503 SERVICE.BUSY
    const { refund, order } = await this.db.transaction(async (tx) => {
      const order = await this.orders.lock(tx, orderId);
      const sellers = order ? await this.orders.sellersOf(tx, orderId) : [];
      this.assertMayRefund(principal, order, sellers.map((s) => s.sellerId), orderId);
      const found = order!;
      if (found.status !== 'paid' && found.status !== 'partially_refunded') throw PaymentsErrors.notRefundable(found.id, found.status);
      if (found.chargeType !== 'destination') throw PaymentsErrors.multiSellerRefund(found.id);
      const pending = await tx.findOneBy(Refund, { orderId, status: 'pending' });
      if (pending) throw PaymentsErrors.refundInProgress(orderId, pending.id);
      const remaining = found.amountTotal - found.amountRefunded;
      const amount = input.amount === undefined ? remaining : BigInt(input.amount);
      if (amount < 1n) throw PaymentsErrors.invalidRefundAmount();
      if (amount > remaining) throw PaymentsErrors.refundTooLarge(found.id, amount, remaining);
      const feeRefund = applicationFeeRefund({
        policy: this.config.REFUND_APPLICATION_FEE,
        fee: found.applicationFeeTotal,
        feeRefundedBefore: await this.settlement.applicationFeeRefunded(tx, orderId),
        refund: amount,
        refundedBefore: found.amountRefunded,
        gross: found.amountTotal,
      });
      const row = await tx.save(
        tx.create(Refund, {
          orderId,
          status: 'pending',
          source: 'api',
          amount,
          currency: found.currency,
          reason: input.reason ?? null,
          applicationFeeRefund: feeRefund,
          transferReversalAmount: null,
          stripeRefundId: null,
          transferReversalId: null,
          requestedBy: principal.id,
          failureMessage: null,
        }),
      );
      return { refund: row, order: found };
    }).catch(refuseWhenBusy);

    let stripe: RefundSnapshot;
    try {
      stripe = await this.createAtStripe(order, refund);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // only a definite refusal fails the refund; anything else (unknown outcome, the key still in
      // flight elsewhere, Stripe unreachable) stays pending for the webhook or the recovery worker
      if (error instanceof StripeGatewayError && error.definitiveRefusal) {
        await this.db.getRepository(Refund).update({ id: refund.id, status: 'pending' }, { status: 'failed', failureMessage: message });
      }
      throw PaymentsErrors.refundFailed(refund.id, message);
    }
    return (await this.db.transaction((tx) => this.settlement.settle(tx, refund.id, stripe)))!;
  }

  /** The Stripe call of a recorded refund; the same key every time, so a retry is the same refund. */
  createAtStripe(order: Order, refund: Refund): Promise<RefundSnapshot> {
    return this.gateway.createRefund(
      {
        chargeId: order.chargeId!,
        amount: refund.amount,
        reason: stripeRefundReason(refund.reason),
        reverseTransfer: true,
        refundApplicationFee: this.config.REFUND_APPLICATION_FEE === 'proportional' && order.applicationFeeTotal > 0n,
        metadata: { order_id: order.id, refund_id: refund.id },
      },
      idempotencyKey('refund', refund.id),
    );
  }

  listAtStripe(order: Order): Promise<RefundSnapshot[]> {
    return this.gateway.listRefunds(order.chargeId!);
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
