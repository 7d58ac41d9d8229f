import { StripeGateway, type BalanceTransactionSnapshot, type FeeRefundSnapshot, type RefundSnapshot } from '@app/stripe';
import { Injectable } from '@nestjs/common';

/**
 * What Stripe did with a refund, read from Stripe before any transaction: the refund with its
 * balance transaction and its transfer reversal's, the reversal's side on the seller's account,
 * and every fee refund of the charge's application fee (what Stripe really returned, never our
 * own formula: the ledger books the ones not booked yet, under the order lock).
 */
export interface StripeRefundFacts {
  refund: RefundSnapshot;
  /** The seller's side of the transfer reversal (the py_ payment's refund on their account). */
  reversalOnSellerAccount: BalanceTransactionSnapshot | null;
  feeRefunds: FeeRefundSnapshot[];
}

@Injectable()
export class StripeRefundReader {
  constructor(private readonly gateway: StripeGateway) {}

  async read(refund: RefundSnapshot, sellerAccount: string | null, applicationFeeId: string | null): Promise<StripeRefundFacts> {
    const pyr = refund.transferReversal?.destinationPaymentRefundId ?? null;
    const [reversalOnSellerAccount, feeRefunds] = await Promise.all([
      pyr && sellerAccount ? this.gateway.retrieveConnectedRefundTransaction(pyr, sellerAccount) : Promise.resolve(null),
      applicationFeeId ? this.gateway.listApplicationFeeRefunds(applicationFeeId) : Promise.resolve([]),
    ]);
    return { refund, reversalOnSellerAccount, feeRefunds };
  }

  /** The same, for a refund known only by its Stripe object (the charge's application fee looked up). */
  async readWithCharge(refund: RefundSnapshot, sellerAccount: string | null): Promise<StripeRefundFacts> {
    const charge = refund.chargeId ? await this.gateway.retrieveCharge(refund.chargeId) : null;
    return this.read(refund, sellerAccount, charge?.applicationFeeId ?? null);
  }
}
