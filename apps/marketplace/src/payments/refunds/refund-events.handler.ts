import { StripeGateway, type ChargeSnapshot, type StripeEventEnvelope } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HandlesStripeEvents, type StripeEventHandler } from '../../webhooks/stripe-event-handler.js';
import { PAID_STATUSES } from '../orders/order-status.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { madeThenFailed, RefundSettlementService } from './refund-settlement.service.js';
import { Refund } from './refund.entity.js';
import { eventObject } from '../stripe-event-object.js';
import { StripeRefundReader, type StripeRefundFacts } from './stripe-refund-reader.js';
import { OrderPaymentsService } from '../orders/order-payments.service.js';
import { PaymentReader, type SucceededPayment } from '../payment-reader.js';

type Loaded = { kind: 'skip' } | { kind: 'sync'; charge: ChargeSnapshot; refunds: StripeRefundFacts[]; payment: SucceededPayment | null };

/**
 * Keeps refunds in step with Stripe: the charge's refunds are re-read, ours (metadata.refund_id)
 * are settled if the API call's answer was lost, and refunds made elsewhere (the Dashboard) are
 * recorded and booked; a refund that failed after it succeeded (refund.updated /
 * charge.refund.updated with status failed) is undone. Safe to run twice, in any order: rows are
 * keyed on the Stripe refund id and every change is a guarded transition.
 */
@Injectable()
@HandlesStripeEvents('charge.refunded', 'refund.updated', 'charge.refund.updated')
export class RefundEventsHandler implements StripeEventHandler<Loaded> {
  constructor(
    private readonly gateway: StripeGateway,
    private readonly orders: OrdersRepository,
    private readonly settlement: RefundSettlementService,
    private readonly reader: StripeRefundReader,
    private readonly payments: PaymentReader,
    private readonly paid: OrderPaymentsService,
  ) {}

  async load(event: StripeEventEnvelope): Promise<Loaded> {
    const object = eventObject(event);
    const chargeId = event.type === 'charge.refunded' ? (object.id as string | undefined) : (object.charge as string | null | undefined);
    if (!chargeId?.startsWith('ch_')) return { kind: 'skip' };
    const [charge, refunds] = await Promise.all([this.gateway.retrieveCharge(chargeId), this.gateway.listRefunds(chargeId)]);
    // the seller's side of each reversal lives on the destination account
    const sellerAccount = charge.transfer?.destination ?? charge.destination;
    // the payment as Stripe has it: if this event overtook the payment's own, it pays the order first
    const orderId = charge.metadata.order_id;
    const payment = charge.paymentIntentId && orderId ? await this.payments.readSucceeded(charge.paymentIntentId, orderId) : null;
    return { kind: 'sync', charge, refunds: await this.reader.readAll(refunds, sellerAccount, charge, refunds), payment };
  }

  async apply(_event: StripeEventEnvelope, tx: EntityManager, loaded: Loaded): Promise<void> {
    if (loaded.kind === 'skip') return;
    const { charge } = loaded;
    let found = await this.orders.findByChargeOrIntent(tx, { chargeId: charge.id, paymentIntentId: charge.paymentIntentId, orderId: charge.metadata.order_id });
    if (!found) return;
    if (!PAID_STATUSES.includes(found.status) && loaded.payment) {
      const p = loaded.payment;
      await this.paid.markPaid(tx, p.orderId, p.paymentIntentId, p.charge, p.sellerPayment);
      found = (await this.orders.findByChargeOrIntent(tx, { chargeId: charge.id, paymentIntentId: charge.paymentIntentId, orderId: charge.metadata.order_id }))!;
    }
    if (!PAID_STATUSES.includes(found.status) || !found.chargeId) throw new Error(`order ${found.id} of refunded charge ${charge.id} is not paid yet`);
    // oldest first, so each fee refund Stripe made is booked with the first refund settled after it
    for (const facts of [...loaded.refunds].sort((a, b) => a.refund.created.getTime() - b.refund.created.getTime())) {
      const stripe = facts.refund;
      const ours = (await tx.findOneBy(Refund, { stripeRefundId: stripe.id })) ?? (stripe.metadata.refund_id ? await tx.findOneBy(Refund, { id: stripe.metadata.refund_id, orderId: found.id }) : null);
      if (ours) {
        await this.settlement.settle(tx, ours.id, facts);
        await this.settlement.undoFailed(tx, ours.id, stripe); // it failed after it succeeded
        continue;
      }
      // booked once Stripe says the money went back (or went back and came back: made, then failed)
      if (stripe.status === 'pending' || stripe.status === 'requires_action') {
        // recorded in the status Stripe reports: its later events find it and settle it
        await this.settlement.recordExternalPending(tx, (await this.orders.lock(tx, found.id))!, stripe);
        continue;
      }
      if (stripe.status !== 'succeeded' && !madeThenFailed(stripe)) continue;
      const order = (await this.orders.lock(tx, found.id))!;
      await this.settlement.recordExternal(tx, order, facts);
    }
  }
}
