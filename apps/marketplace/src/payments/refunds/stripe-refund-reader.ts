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
  /** The transfer's amount, for a recovery's share of the fee. */
  transferAmount: bigint | null;
}

@Injectable()
export class StripeRefundReader {
  constructor(private readonly gateway: StripeGateway) {}

  /**
   * The facts of each of a charge's refunds: the charge-wide lists (its fee refunds, its refunds,
   * its transfer's reversals) are read once for all of them, each reversal's seller side once each.
   */
  async readAll(refunds: RefundSnapshot[], sellerAccount: string | null, charge: ChargeSnapshot, chargeRefunds?: RefundSnapshot[]): Promise<StripeRefundFacts[]> {
    const feeId = charge.applicationFeeId;
    const [feeRefunds, allRefunds, reversals, sellerSides] = await Promise.all([
      feeId ? this.gateway.listApplicationFeeRefunds(feeId) : Promise.resolve([]),
      feeId ? (chargeRefunds ? Promise.resolve(chargeRefunds) : this.gateway.listRefunds(charge.id)) : Promise.resolve([]),
      feeId && charge.transferId ? this.gateway.listTransferReversals(charge.transferId) : Promise.resolve([]),
      Promise.all(
        refunds.map((r) => {
          const pyr = r.transferReversal?.destinationPaymentRefundId ?? null;
          return pyr && sellerAccount ? this.gateway.retrieveConnectedRefundTransaction(pyr, sellerAccount) : Promise.resolve(null);
        }),
      ),
    ]);
    const recoveryReversals = reversals.filter((r) => r.sourceRefundId === null);
    return refunds.map((refund, i) => ({
      refund,
      reversalOnSellerAccount: sellerSides[i] ?? null,
      feeRefunds,
      chargeRefunds: allRefunds,
      recoveryReversals,
      transferAmount: charge.transfer?.amount ?? null,
    }));
  }

  /** The same, for a refund known only by its Stripe object (its charge looked up). */
  async readWithCharge(refund: RefundSnapshot, sellerAccount: string | null): Promise<StripeRefundFacts> {
    if (!refund.chargeId) throw new Error(`refund ${refund.id} has no charge`);
    const [facts] = await this.readAll([refund], sellerAccount, await this.gateway.retrieveCharge(refund.chargeId));
    return facts!;
  }
}
