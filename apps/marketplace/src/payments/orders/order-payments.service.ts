import type { BalanceTransactionSnapshot, ChargeSnapshot, PaymentError } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LEDGER_ENTRY_KINDS, LedgerService, paidDestinationChargeLines, paidSeparateChargeLines, type LedgerLineInput } from '../../ledger/index.js';
import { OrderTransfersPlanner, type SizedSeller } from '../../transfers/index.js';
import type { OrderSeller } from './order-seller.entity.js';
import { PAID_STATUSES } from './order-status.js';
import type { Order } from './order.entity.js';
import { OrdersRepository } from './orders.repository.js';

/**
 * What Stripe's payment events do to an order (called from webhook handlers, inside the
 * transaction that marks the event processed). Idempotent and order-proof: guarded transitions,
 * ledger entries keyed on Stripe ids.
 */
@Injectable()
export class OrderPaymentsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly ledger: LedgerService,
    private readonly transfers: OrderTransfersPlanner,
  ) {}

  /**
   * The charge succeeded: the order is paid and everything the charge moved is booked (once, key
   * `charge:<chargeId>`). `sellerPayment` is the balance transaction of a destination charge's py_
   * payment on the seller's account (read with Stripe-Account before this transaction). A
   * multi-seller order's transfer rows (one per seller) are made in the same transaction.
   */
  async markPaid(tx: EntityManager, orderId: string, paymentIntentId: string, charge: ChargeSnapshot, sellerPayment: BalanceTransactionSnapshot | null): Promise<void> {
    const order = await this.orders.lock(tx, orderId);
    if (!order) return;
    if (!PAID_STATUSES.includes(order.status)) {
      const moved = await this.orders.transition(tx, orderId, 'paid', {
        paymentIntentId,
        chargeId: charge.id,
        transferId: charge.transferId,
        stripeFee: charge.balanceTransaction?.fee ?? null,
        paidAt: new Date(),
        chargeCreatedAt: charge.created,
        failureCode: null,
        failureMessage: null,
      });
      if (!moved) throw new Error(`order ${orderId} is ${order.status}; Stripe reports its charge ${charge.id} succeeded`);
    }
    const sellers = await this.orders.sellersOf(tx, orderId);
    const sized = order.chargeType === 'separate_transfers' && charge.balanceTransaction ? this.transfers.size(charge.balanceTransaction, sellers) : null;
    await this.ledger.post(tx, {
      kind: LEDGER_ENTRY_KINDS.charge,
      reference: { type: 'order', id: orderId },
      idempotencyKey: `charge:${charge.id}`,
      description: `Charge ${charge.id} of order ${orderId}`,
      lines: chargeLines(order, sellers, charge, sellerPayment, sized),
    });
    if (sized) {
      const accounts = new Map(sellers.map((s) => [s.sellerId, s.stripeAccountId]));
      await this.transfers.plan(tx, {
        orderId,
        chargeId: charge.id,
        holdDays: order.holdDays,
        chargeCreated: charge.created,
        sellers: sized.map((s) => ({ ...s, account: accounts.get(s.sellerId)! })),
      });
    }
  }

  /** A payment attempt failed: awaiting_payment -> failed (a paid order stays paid). No ledger entry: no money moved. */
  async markFailed(tx: EntityManager, orderId: string, error: PaymentError | null): Promise<void> {
    await this.orders.transition(tx, orderId, 'failed', { failureCode: (error?.declineCode ?? error?.code ?? 'payment_failed').slice(0, 64), failureMessage: error?.message ?? null });
  }

  /** The Checkout Session expired unpaid: awaiting_payment -> expired. */
  async markExpired(tx: EntityManager, orderId: string): Promise<void> {
    await this.orders.transition(tx, orderId, 'expired');
  }
}

/**
 * The charge as Stripe made it, from its balance transactions: a destination charge books the
 * charge's net and Stripe's fee, its transfer, the application fee and the seller's py_ payment; a
 * multi-seller order books the charge's net and each seller's share and fee as the transfers are
 * sized (`sized`: OrderTransfersPlanner.size, by the Stripe-fee policy; the platform holds their
 * funds until it transfers them).
 */
export function chargeLines(order: Order, sellers: OrderSeller[], charge: ChargeSnapshot, sellerPayment: BalanceTransactionSnapshot | null, sized: SizedSeller[] | null): LedgerLineInput[] {
  const txn = charge.balanceTransaction;
  if (!txn) throw new Error(`charge ${charge.id} has no balance transaction yet`);
  if (order.chargeType === 'destination') {
    const seller = sellers[0]!;
    const { transfer, applicationFee } = charge;
    if (!transfer?.balanceTransaction || !transfer.destinationPaymentId || !sellerPayment) throw new Error(`destination charge ${charge.id}: its transfer was not read on both balances`);
    if (applicationFee && !applicationFee.balanceTransaction) throw new Error(`destination charge ${charge.id}: application fee ${applicationFee.id} has no balance transaction`);
    return paidDestinationChargeLines({
      seller: { kind: 'connected', sellerId: seller.sellerId, account: transfer.destination },
      charge: { objectId: charge.id, txn },
      transfer: { objectId: transfer.id, txn: transfer.balanceTransaction },
      applicationFee: applicationFee ? { objectId: applicationFee.id, txn: applicationFee.balanceTransaction! } : null,
      payment: { objectId: transfer.destinationPaymentId, txn: sellerPayment },
    });
  }
  if (!sized) throw new Error(`multi-seller charge ${charge.id}: the sellers' shares were not sized`);
  return paidSeparateChargeLines({ charge: { objectId: charge.id, txn }, sellers: sized.map((s) => ({ sellerId: s.sellerId, share: s.share, fee: s.fee, stripeFee: s.stripeFee })) });
}
