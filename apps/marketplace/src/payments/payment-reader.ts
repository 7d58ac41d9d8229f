import { StripeGateway, type BalanceTransactionSnapshot, type ChargeSnapshot } from '@app/stripe';
import { Injectable } from '@nestjs/common';

/** A succeeded payment as Stripe has it: what OrderPaymentsService.markPaid books. */
export interface SucceededPayment {
  orderId: string;
  paymentIntentId: string;
  charge: ChargeSnapshot;
  /** A destination charge's py_ payment on the seller's account (read there with Stripe-Account). */
  sellerPayment: BalanceTransactionSnapshot | null;
}

/**
 * Re-reads a payment from Stripe (outside any transaction), for the payment events and for any
 * event that overtakes them (a dispute or a refund on a charge whose order is not paid yet applies
 * the payment itself from what it reads, instead of failing until the payment's own event comes).
 */
@Injectable()
export class PaymentReader {
  constructor(private readonly gateway: StripeGateway) {}

  async readSucceeded(paymentIntentId: string, orderId: string): Promise<SucceededPayment | null> {
    const intent = await this.gateway.retrievePaymentIntent(paymentIntentId);
    if (intent.status !== 'succeeded' || !intent.latestChargeId) return null;
    const charge = await this.gateway.retrieveCharge(intent.latestChargeId);
    const transfer = charge.transfer;
    const sellerPayment = transfer?.destinationPaymentId ? await this.gateway.retrieveDestinationPaymentTransaction(transfer.destinationPaymentId, transfer.destination) : null;
    return { orderId, paymentIntentId, charge, sellerPayment };
  }
}
