import { StripeGateway, type BalanceTransactionSnapshot, type ChargeSnapshot, type FeeRefundSnapshot, type RefundSnapshot, type TransferReversalSnapshot } from '@app/stripe';
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
  /** The charge's other fee-refunding events, to tell which fee refund is this refund's: its refunds and its transfer's reversals made on their own (dispute recoveries). */
  chargeRefunds: RefundSnapshot[];
  recoveryReversals: TransferReversalSnapshot[];
  /** The charge's amount and the transfer's, for each event's share of the fee. */
  chargeAmount: bigint;
  transferAmount: bigint | null;
}

@Injectable()
export class StripeRefundReader {
  constructor(private readonly gateway: StripeGateway) {}

  async read(refund: RefundSnapshot, sellerAccount: string | null, charge: ChargeSnapshot, chargeRefunds?: RefundSnapshot[]): Promise<StripeRefundFacts> {
    const pyr = refund.transferReversal?.destinationPaymentRefundId ?? null;
    const feeId = charge.applicationFeeId;
    const [reversalOnSellerAccount, feeRefunds, refunds, reversals] = await Promise.all([
      pyr && sellerAccount ? this.gateway.retrieveConnectedRefundTransaction(pyr, sellerAccount) : Promise.resolve(null),
      feeId ? this.gateway.listApplicationFeeRefunds(feeId) : Promise.resolve([]),
      feeId ? (chargeRefunds ? Promise.resolve(chargeRefunds) : this.gateway.listRefunds(charge.id)) : Promise.resolve([]),
      feeId && charge.transferId ? this.gateway.listTransferReversals(charge.transferId) : Promise.resolve([]),
    ]);
    return {
      refund,
      reversalOnSellerAccount,
      feeRefunds,
      chargeRefunds: refunds,
      recoveryReversals: reversals.filter((r) => r.sourceRefundId === null),
      chargeAmount: charge.amount,
      transferAmount: charge.transfer?.amount ?? null,
    };
  }

  /** The same, for a refund known only by its Stripe object (its charge looked up). */
  async readWithCharge(refund: RefundSnapshot, sellerAccount: string | null): Promise<StripeRefundFacts> {
    if (!refund.chargeId) throw new Error(`refund ${refund.id} has no charge`);
    return this.read(refund, sellerAccount, await this.gateway.retrieveCharge(refund.chargeId));
  }
}
