import { StripeGateway, type ChargeSnapshot, type RefundSnapshot, type StripeEventEnvelope } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HandlesStripeEvents, type StripeEventHandler } from '../webhooks/stripe-event-handler.js';
import { PAID_STATUSES } from './order-status.js';
import { OrdersRepository } from './orders.repository.js';
import { applicationFeeRefund } from './refund-math.js';
import { RefundSettlementService } from './refund-settlement.service.js';
import { Refund } from './refund.entity.js';
import { eventObject } from './stripe-event-object.js';

type Loaded = { kind: 'skip' } | { kind: 'sync'; charge: ChargeSnapshot; refunds: RefundSnapshot[] };

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
  ) {}

  async load(event: StripeEventEnvelope): Promise<Loaded> {
    const object = eventObject(event);
    const chargeId = event.type === 'charge.refunded' ? (object.id as string | undefined) : (object.charge as string | null | undefined);
    if (!chargeId || !chargeId.startsWith('ch_')) return { kind: 'skip' };
    const [charge, refunds] = await Promise.all([this.gateway.retrieveCharge(chargeId), this.gateway.listRefunds(chargeId)]);
    return { kind: 'sync', charge, refunds };
  }

  async apply(_event: StripeEventEnvelope, tx: EntityManager, loaded: Loaded): Promise<void> {
    if (loaded.kind === 'skip') return;
    const { charge } = loaded;
    const found = await this.orders.findByChargeOrIntent(tx, { chargeId: charge.id, paymentIntentId: charge.paymentIntentId, orderId: charge.metadata.order_id });
    if (!found) return;
    if (!PAID_STATUSES.includes(found.status) || !found.chargeId) throw new Error(`order ${found.id} of refunded charge ${charge.id} is not paid yet`);
    // oldest first, so fee refunds of refunds made elsewhere are apportioned as Stripe did
    for (const stripe of [...loaded.refunds].sort((a, b) => a.created.getTime() - b.created.getTime())) {
      const ours = (await tx.findOneBy(Refund, { stripeRefundId: stripe.id })) ?? (stripe.metadata.refund_id ? await tx.findOneBy(Refund, { id: stripe.metadata.refund_id, orderId: found.id }) : null);
      if (ours) {
        await this.settlement.settle(tx, ours.id, stripe);
        await this.settlement.undoFailed(tx, ours.id, stripe); // it failed after it succeeded
        continue;
      }
      if (stripe.status !== 'succeeded') continue; // booked once Stripe says the money went back
      const order = (await this.orders.lock(tx, found.id))!;
      const recorded = await this.settlement.applicationFeeRefunded(tx, order.id);
      const proportional = applicationFeeRefund({ policy: 'proportional', fee: order.applicationFeeTotal, feeRefundedBefore: recorded, refund: stripe.amount, refundedBefore: order.amountRefunded, gross: order.amountTotal });
      // what Stripe says was refunded of the fee and is not yet on our rows, at most the proportional share
      const unbooked = (charge.applicationFeeRefunded ?? 0n) - recorded;
      const feeRefund = unbooked <= 0n ? 0n : unbooked < proportional ? unbooked : proportional;
      await this.settlement.recordExternal(tx, order, stripe, feeRefund);
    }
  }
}
