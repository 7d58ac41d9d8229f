import type { StripeEventEnvelope } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HandlesStripeEvents, type StripeEventHandler } from '../../webhooks/stripe-event-handler.js';
import { OrderPaymentsService } from './order-payments.service.js';
import { PaymentReader, type SucceededPayment } from '../payment-reader.js';
import { eventObject, orderIdOf } from '../stripe-event-object.js';

type Loaded = { kind: 'skip' } | ({ kind: 'paid' } & SucceededPayment);

/**
 * checkout.session.completed and payment_intent.succeeded both mean "paid"; whichever comes first
 * pays the order, the other finds it paid. The payment is re-read from Stripe (the event may be
 * stale), including the charge's balance transaction for Stripe's processing fee.
 */
@Injectable()
@HandlesStripeEvents('checkout.session.completed', 'payment_intent.succeeded')
export class PaymentSucceededHandler implements StripeEventHandler<Loaded> {
  constructor(
    private readonly reader: PaymentReader,
    private readonly payments: OrderPaymentsService,
  ) {}

  async load(event: StripeEventEnvelope): Promise<Loaded> {
    const object = eventObject(event);
    const orderId = orderIdOf(object);
    if (!orderId) return { kind: 'skip' };
    const paymentIntentId = event.type === 'checkout.session.completed' ? (object.payment_intent as string | null) : (object.id as string);
    if (!paymentIntentId || (event.type === 'checkout.session.completed' && object.payment_status !== 'paid')) return { kind: 'skip' };
    const paid = await this.reader.readSucceeded(paymentIntentId, orderId);
    return paid ? { kind: 'paid', ...paid } : { kind: 'skip' };
  }

  async apply(_event: StripeEventEnvelope, tx: EntityManager, loaded: Loaded): Promise<void> {
    if (loaded.kind === 'paid') await this.payments.markPaid(tx, loaded.orderId, loaded.paymentIntentId, loaded.charge, loaded.sellerPayment);
  }
}

/** payment_intent.payment_failed -> failed; checkout.session.expired -> expired. No money moved, nothing booked. */
@Injectable()
@HandlesStripeEvents('payment_intent.payment_failed', 'checkout.session.expired')
export class PaymentNotMadeHandler implements StripeEventHandler {
  constructor(private readonly payments: OrderPaymentsService) {}

  async apply(event: StripeEventEnvelope, tx: EntityManager): Promise<void> {
    const object = eventObject(event);
    const orderId = orderIdOf(object);
    if (!orderId) return;
    if (event.type === 'checkout.session.expired') return this.payments.markExpired(tx, orderId);
    const error = object.last_payment_error as { code?: string; decline_code?: string; message?: string } | null | undefined;
    await this.payments.markFailed(tx, orderId, error ? { code: error.code ?? null, declineCode: error.decline_code ?? null, message: error.message ?? null } : null);
  }
}
