import { StripeGateway, type DisputeSnapshot, type StripeEventEnvelope } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HandlesStripeEvents, type StripeEventHandler } from '../../webhooks/stripe-event-handler.js';
import { DisputesService } from './disputes.service.js';
import { OrderPaymentsService } from '../orders/order-payments.service.js';
import { PaymentReader, type SucceededPayment } from '../payment-reader.js';

type Loaded = { kind: 'skip' } | { kind: 'dispute'; dispute: DisputeSnapshot; orderId: string | null; payment: SucceededPayment | null };

/** Every dispute event re-reads the dispute from Stripe, so late or reordered events never roll it back. */
@Injectable()
@HandlesStripeEvents('charge.dispute.created', 'charge.dispute.updated', 'charge.dispute.closed', 'charge.dispute.funds_withdrawn', 'charge.dispute.funds_reinstated')
export class DisputeEventsHandler implements StripeEventHandler<Loaded> {
  constructor(
    private readonly gateway: StripeGateway,
    private readonly disputes: DisputesService,
    private readonly reader: PaymentReader,
    private readonly payments: OrderPaymentsService,
  ) {}

  async load(event: StripeEventEnvelope): Promise<Loaded> {
    if (!event.objectId?.startsWith('dp_') && !event.objectId?.startsWith('du_')) return { kind: 'skip' };
    const dispute = await this.gateway.retrieveDispute(event.objectId);
    // the order id from the payment's metadata: the dispute can arrive before the payment's own webhook
    const intent = dispute.paymentIntentId ? await this.gateway.retrievePaymentIntent(dispute.paymentIntentId) : null;
    const orderId = intent?.metadata.order_id ?? null;
    // the payment as Stripe has it: if this event overtook the payment's own, it pays the order first
    const payment = intent && orderId ? await this.reader.readSucceeded(intent.id, orderId) : null;
    return { kind: 'dispute', dispute, orderId, payment };
  }

  async apply(_event: StripeEventEnvelope, tx: EntityManager, loaded: Loaded): Promise<void> {
    if (loaded.kind !== 'dispute') return;
    if (loaded.payment) await this.payments.markPaid(tx, loaded.payment.orderId, loaded.payment.paymentIntentId, loaded.payment.charge, loaded.payment.sellerPayment);
    await this.disputes.record(tx, loaded.dispute, loaded.orderId);
  }
}
