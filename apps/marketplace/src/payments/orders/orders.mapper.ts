import { formatMoney, Money } from '@app/money';
import { ApiProperty } from '@nestjs/swagger';
import type { Principal } from '../../identity/principal.entity.js';
import { toTransferResponse, toTransferReversalResponse, TransferResponse, TransferReversalResponse, type TransferReversal } from '../../transfers/index.js';
import type { Transfer } from '../../transfers/transfer.entity.js';
import type { Dispute } from '../disputes/dispute.entity.js';
import type { Order } from './order.entity.js';
import type { Refund } from '../refunds/refund.entity.js';

const amount = (minor: bigint) => minor.toString();

export class OrderLineResponse {
  @ApiProperty() listingId: string;
  @ApiProperty() sellerId: string;
  @ApiProperty() title: string;
  @ApiProperty() quantity: number;
  @ApiProperty({ description: 'Minor units, as a string' }) unitAmount: string;
  @ApiProperty({ description: 'Minor units, as a string' }) amount: string;
}

export class OrderSellerResponse {
  @ApiProperty() sellerId: string;
  @ApiProperty() stripeAccountId: string;
  @ApiProperty() subtotal: string;
  @ApiProperty({ description: "The platform's application fee on this seller's subtotal" }) fee: string;
  @ApiProperty({ description: 'subtotal - fee' }) sellerShare: string;
}

export class RefundFailureReturnResponse {
  @ApiProperty({ enum: ['pending', 'returned', 'failed'] }) status: string;
  @ApiProperty({ description: "The seller's share returned to them by a transfer, minor units as a string" }) amount: string;
  @ApiProperty({ nullable: true, type: String }) transferId: string | null;
  @ApiProperty({ description: 'Stripe calls made so far' }) attempts: number;
  @ApiProperty({ nullable: true, type: String, description: "Stripe's error code of the last refusal (balance_insufficient waits for funds and is retried)" }) errorCode: string | null;
  @ApiProperty({ nullable: true, type: String }) errorMessage: string | null;
}

export class RefundReturnReversalResponse {
  @ApiProperty({ enum: ['pending', 'reversed', 'none', 'failed'] }) status: string;
  @ApiProperty({ nullable: true, type: String, description: "What the refund's own transfer reversal did not pull back from the seller, taken from the order's return transfer" }) amount:
    | string
    | null;
  @ApiProperty({ description: "What the refund took back from the order's return transfers so far (one reversal a round)" }) total: string;
  @ApiProperty({ nullable: true, type: String }) transferId: string | null;
  @ApiProperty({ nullable: true, type: String }) reversalId: string | null;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: String }) errorCode: string | null;
  @ApiProperty({ nullable: true, type: String }) errorMessage: string | null;
}

export class RefundResponse {
  @ApiProperty() id: string;
  @ApiProperty() orderId: string;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] }) status: string;
  @ApiProperty({ enum: ['api', 'stripe'] }) source: string;
  @ApiProperty() amount: string;
  @ApiProperty() currency: string;
  @ApiProperty() display: string;
  @ApiProperty({ description: 'Part of the application fee returned' }) applicationFeeRefund: string;
  @ApiProperty({ nullable: true, type: String }) transferReversalAmount: string | null;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ nullable: true, type: String }) stripeRefundId: string | null;
  @ApiProperty({ nullable: true, type: String }) transferReversalId: string | null;
  @ApiProperty({ nullable: true, type: String }) failureMessage: string | null;
  @ApiProperty({ nullable: true, type: RefundFailureReturnResponse, description: 'A refund Stripe failed after it succeeded: the return of the share it took from the seller' })
  failureReturn: RefundFailureReturnResponse | null;
  @ApiProperty({
    nullable: true,
    type: RefundReturnReversalResponse,
    description: "After a won dispute or a failed refund's return: the return transfer reversed by what this refund's transfer reversal did not pull back",
  })
  returnReversal: RefundReturnReversalResponse | null;
  @ApiProperty() createdAt: string;
}

export class DisputeResponse {
  @ApiProperty() id: string;
  @ApiProperty() stripeDisputeId: string;
  @ApiProperty() amount: string;
  @ApiProperty() currency: string;
  @ApiProperty() reason: string;
  @ApiProperty() status: string;
  @ApiProperty({ nullable: true, type: String }) evidenceDueBy: string | null;
  @ApiProperty() recoveryStatus: string;
  @ApiProperty() recoveredAmount: string;
  @ApiProperty({ nullable: true, type: String }) closedAt: string | null;
}

export class OrderResponse {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String, description: 'Null for a seller: the buyer is not theirs to see' }) buyerId: string | null;
  @ApiProperty({ enum: ['created', 'awaiting_payment', 'paid', 'partially_refunded', 'refunded', 'disputed', 'failed', 'expired'] }) status: string;
  @ApiProperty({ enum: ['destination', 'separate_transfers'] }) chargeType: string;
  @ApiProperty() currency: string;
  @ApiProperty({ description: 'Total (or, for a seller, their lines) in minor units' }) amountTotal: string;
  @ApiProperty() display: string;
  @ApiProperty({ nullable: true, type: String, description: 'Admins and buyers: the sum of the application fees' }) applicationFeeTotal: string | null;
  @ApiProperty({ nullable: true, type: String, description: "Null for a seller of a multi-seller order (the order's refunds are not theirs)" }) amountRefunded: string | null;
  @ApiProperty({ nullable: true, type: String }) checkoutUrl: string | null;
  @ApiProperty({ nullable: true, type: String }) checkoutSessionId: string | null;
  @ApiProperty({ nullable: true, type: String }) paymentIntentId: string | null;
  @ApiProperty({ nullable: true, type: String }) chargeId: string | null;
  @ApiProperty({ nullable: true, type: String }) failureCode: string | null;
  @ApiProperty({ nullable: true, type: String }) failureMessage: string | null;
  @ApiProperty({ type: [OrderLineResponse] }) lines: OrderLineResponse[];
  @ApiProperty({ type: [OrderSellerResponse] }) sellers: OrderSellerResponse[];
  @ApiProperty({ type: [RefundResponse] }) refunds: RefundResponse[];
  @ApiProperty({ type: [DisputeResponse] }) disputes: DisputeResponse[];
  @ApiProperty({ type: [TransferResponse], description: "A multi-seller order's transfers to its sellers (a seller sees only their own)" }) transfers: TransferResponse[];
  @ApiProperty({ description: "Days the sellers' funds are held after payment (0: no hold; destination charges are never held)" }) holdDays: number;
  @ApiProperty({
    type: [TransferReversalResponse],
    description: "A multi-seller order's refunds per seller: each seller's part, lowering a transfer not sent yet or reversing one made (a seller sees only their own)",
  })
  transferReversals: TransferReversalResponse[];
  @ApiProperty({ nullable: true, type: String }) paidAt: string | null;
  @ApiProperty({ nullable: true, type: String, description: "When Stripe created the order's charge (a held order's hold is counted from it)" }) chargeCreatedAt: string | null;
  @ApiProperty() createdAt: string;
}

/** The POST /checkout answer. */
export class CheckoutResponse {
  @ApiProperty() orderId: string;
  @ApiProperty() status: string;
  @ApiProperty({ nullable: true, type: String }) checkoutUrl: string | null;
  @ApiProperty() amountTotal: string;
  @ApiProperty() currency: string;
}

export function toCheckoutResponse(order: Order): CheckoutResponse {
  return { orderId: order.id, status: order.status, checkoutUrl: order.checkoutUrl, amountTotal: amount(order.amountTotal), currency: order.currency };
}

export function toRefundResponse(r: Refund): RefundResponse {
  return {
    id: r.id,
    orderId: r.orderId,
    status: r.status,
    source: r.source,
    amount: amount(r.amount),
    currency: r.currency,
    display: formatMoney(Money.of(r.amount, r.currency)),
    applicationFeeRefund: amount(r.applicationFeeRefund),
    transferReversalAmount: r.transferReversalAmount === null ? null : amount(r.transferReversalAmount),
    reason: r.reason,
    stripeRefundId: r.stripeRefundId,
    transferReversalId: r.transferReversalId,
    failureMessage: r.failureMessage,
    failureReturn:
      r.failureReturnStatus === null
        ? null
        : {
            status: r.failureReturnStatus,
            amount: amount(r.failureReturnAmount ?? 0n),
            transferId: r.failureReturnTransferId,
            attempts: r.failureReturnAttempts,
            errorCode: r.failureReturnErrorCode,
            errorMessage: r.failureReturnError,
          },
    returnReversal:
      r.returnReversalStatus === null
        ? null
        : {
            status: r.returnReversalStatus,
            // planned (a reversal on its way), else what the refund took back from the returns in all
            amount: r.returnReversalAmount !== null ? amount(r.returnReversalAmount) : r.returnReversedTotal > 0n ? amount(r.returnReversedTotal) : null,
            total: amount(r.returnReversedTotal),
            transferId: r.returnReversalTransferId,
            reversalId: r.returnReversalId,
            attempts: r.returnReversalAttempts,
            errorCode: r.returnReversalErrorCode,
            errorMessage: r.returnReversalError,
          },
    createdAt: r.createdAt.toISOString(),
  };
}

export function toDisputeResponse(d: Dispute): DisputeResponse {
  return {
    id: d.id,
    stripeDisputeId: d.stripeDisputeId,
    amount: amount(d.amount),
    currency: d.currency,
    reason: d.reason,
    status: d.status,
    evidenceDueBy: d.evidenceDueBy?.toISOString() ?? null,
    recoveryStatus: d.recoveryStatus,
    recoveredAmount: amount(d.recoveredAmount),
    closedAt: d.closedAt?.toISOString() ?? null,
  };
}

/**
 * An order as `viewer` may see it: the buyer and admins everything; a seller only their own lines
 * and their own split, the total of those lines, and no other seller's fee.
 */
export function toOrderResponse(order: Order, viewer: Principal, extras: { refunds: Refund[]; disputes: Dispute[]; transfers: Transfer[]; transferReversals: TransferReversal[] }): OrderResponse {
  const asSeller = viewer.role === 'seller' && viewer.id !== order.buyerId;
  const lines = (order.lines ?? []).filter((l) => !asSeller || l.sellerId === viewer.id);
  const sellers = (order.sellers ?? []).filter((s) => !asSeller || s.sellerId === viewer.id);
  const total = asSeller ? lines.reduce((sum, l) => sum + l.amount, 0n) : order.amountTotal;
  // a seller sees their part of the order: not the buyer, the buyer's checkout link or card decline,
  // nor (in an order with other sellers) refunds and disputes that are not theirs
  const othersToo = asSeller && (order.sellers ?? []).some((s) => s.sellerId !== viewer.id);
  return {
    id: order.id,
    buyerId: asSeller ? null : order.buyerId,
    status: order.status,
    chargeType: order.chargeType,
    currency: order.currency,
    amountTotal: amount(total),
    display: formatMoney(Money.of(total, order.currency)),
    applicationFeeTotal: asSeller ? null : amount(order.applicationFeeTotal),
    amountRefunded: othersToo ? null : amount(order.amountRefunded),
    checkoutUrl: asSeller ? null : order.checkoutUrl,
    checkoutSessionId: asSeller ? null : order.checkoutSessionId,
    paymentIntentId: order.paymentIntentId,
    chargeId: order.chargeId,
    failureCode: asSeller ? null : order.failureCode,
    failureMessage: asSeller ? null : order.failureMessage,
    lines: lines.map((l) => ({ listingId: l.listingId, sellerId: l.sellerId, title: l.title, quantity: l.quantity, unitAmount: amount(l.unitAmount), amount: amount(l.amount) })),
    sellers: sellers.map((s) => ({ sellerId: s.sellerId, stripeAccountId: s.stripeAccountId, subtotal: amount(s.subtotal), fee: amount(s.fee), sellerShare: amount(s.sellerShare) })),
    refunds: othersToo ? [] : extras.refunds.map(toRefundResponse),
    disputes: (othersToo ? extras.disputes.filter((d) => d.sellerId === viewer.id) : extras.disputes).map(toDisputeResponse),
    transfers: extras.transfers.filter((t) => !asSeller || t.sellerId === viewer.id).map(toTransferResponse),
    holdDays: order.holdDays,
    transferReversals: extras.transferReversals.filter((r) => !asSeller || r.sellerId === viewer.id).map(toTransferReversalResponse),
    paidAt: order.paidAt?.toISOString() ?? null,
    chargeCreatedAt: order.chargeCreatedAt?.toISOString() ?? null,
    createdAt: order.createdAt.toISOString(),
  };
}
