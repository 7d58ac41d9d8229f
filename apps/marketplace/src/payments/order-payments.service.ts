import { Money } from '@app/money';
import type { ChargeSnapshot, PaymentError } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LEDGER_ENTRY_KINDS, LedgerService, paidDestinationChargeLines, stripeProcessingFeeLines, type LedgerLineInput } from '../ledger/index.js';
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
  ) {}

  /** The charge succeeded: the order is paid and the charge is booked (once, key `charge:<chargeId>`). */
  async markPaid(tx: EntityManager, orderId: string, paymentIntentId: string, charge: ChargeSnapshot): Promise<void> {
    const order = await this.orders.lock(tx, orderId);
    if (!order) return;
    if (!PAID_STATUSES.includes(order.status)) {
      const moved = await this.orders.transition(tx, orderId, 'paid', {
        paymentIntentId,
        chargeId: charge.id,
        transferId: charge.transferId,
        stripeFee: charge.balanceTransaction?.fee ?? null,
        paidAt: new Date(),
        failureCode: null,
        failureMessage: null,
      });
      if (!moved) throw new Error(`order ${orderId} is ${order.status}; Stripe reports its charge ${charge.id} succeeded`);
    }
    await this.ledger.post(tx, {
      kind: LEDGER_ENTRY_KINDS.charge,
      reference: { type: 'order', id: orderId },
      idempotencyKey: `charge:${charge.id}`,
      description: `Charge ${charge.id} of order ${orderId}`,
      lines: chargeLines(order, await this.orders.sellersOf(tx, orderId), charge),
    });
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
 * The charge as Stripe made it: gross and application fee from the charge, Stripe's processing fee
 * from its balance transaction. A destination charge books one seller; a multi-seller order books
 * each seller's recorded share and fee (the platform holds their funds until it transfers them).
 */
export function chargeLines(order: Order, sellers: OrderSeller[], charge: ChargeSnapshot): LedgerLineInput[] {
  const money = (minor: bigint) => Money.of(minor, charge.currency);
  const stripeFee = money(charge.balanceTransaction?.fee ?? 0n);
  if (order.chargeType === 'destination') {
    return paidDestinationChargeLines({ gross: money(charge.amount), applicationFee: money(charge.applicationFeeAmount ?? 0n), sellerId: sellers[0]!.sellerId, stripeFee });
  }
  return [
    ...sellers.flatMap((s) => paidDestinationChargeLines({ gross: money(s.subtotal), applicationFee: money(s.fee), sellerId: s.sellerId })),
    ...stripeProcessingFeeLines({ stripeFee }),
  ];
}
