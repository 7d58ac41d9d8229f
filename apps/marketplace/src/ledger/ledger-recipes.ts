import { InvalidAmountError, type Money } from '@app/money';
import { credit, debit, type LedgerLineInput } from './ledger-lines.js';

// Pure builders of balanced lines for the bookings documented in chart-of-accounts.ts. Each takes
// Money amounts (one currency) and returns lines to hand to LedgerService.post; a zero part is
// left out (the database refuses zero lines). Suggested entry kinds are in LEDGER_ENTRY_KINDS.

export const LEDGER_ENTRY_KINDS = {
  charge: 'charge', // destination charge + application fee + Stripe fee, one entry per charge
  fundsAvailable: 'funds_available',
  refund: 'refund',
  disputeWithdrawal: 'dispute_withdrawal',
  disputeRecovery: 'dispute_recovery',
  disputeWon: 'dispute_won',
  sellerPayout: 'seller_payout',
  reversal: 'reversal',
} as const;

function positive(name: string, amount: Money): void {
  if (!amount.isPositive()) throw new InvalidAmountError(`${name} must be positive, got ${amount.toString()}`);
}

function notNegative(name: string, amount: Money): void {
  if (amount.isNegative()) throw new InvalidAmountError(`${name} must not be negative, got ${amount.toString()}`);
}

function sameCurrency(first: Money, ...others: Money[]): void {
  for (const other of others) first.assertSameCurrency(other);
}

function nonZero(lines: LedgerLineInput[]): LedgerLineInput[] {
  return lines.filter((l) => !l.amount.isZero());
}

/** A destination charge of `gross` to the seller: Stripe moves the whole charge to the seller's account. */
export function destinationChargeLines(p: { gross: Money; sellerId: string }): LedgerLineInput[] {
  positive('gross', p.gross);
  return [debit('platform_cash_pending', p.gross), credit('seller_payable_pending', p.gross, p.sellerId)];
}

/** The application fee taken back from the seller's share for the platform. */
export function applicationFeeLines(p: { fee: Money; sellerId: string }): LedgerLineInput[] {
  notNegative('fee', p.fee);
  return nonZero([debit('seller_payable_pending', p.fee, p.sellerId), credit('platform_fee_revenue', p.fee)]);
}

/** Stripe's processing fee on a charge, paid by the platform. */
export function stripeProcessingFeeLines(p: { stripeFee: Money }): LedgerLineInput[] {
  notNegative('stripeFee', p.stripeFee);
  return nonZero([debit('stripe_processing_fees', p.stripeFee), credit('platform_cash_pending', p.stripeFee)]);
}

/**
 * A paid destination charge in one entry: gross, application fee, and (when known) Stripe's fee.
 * Afterwards the seller's pending payable is gross - fee and the platform's fee revenue is fee.
 */
export function paidDestinationChargeLines(p: { gross: Money; applicationFee: Money; sellerId: string; stripeFee?: Money }): LedgerLineInput[] {
  sameCurrency(p.gross, p.applicationFee, ...(p.stripeFee ? [p.stripeFee] : []));
  if (p.applicationFee.greaterThan(p.gross)) throw new InvalidAmountError('applicationFee must not exceed gross');
  return [
    ...destinationChargeLines({ gross: p.gross, sellerId: p.sellerId }),
    ...applicationFeeLines({ fee: p.applicationFee, sellerId: p.sellerId }),
    ...(p.stripeFee ? stripeProcessingFeeLines({ stripeFee: p.stripeFee }) : []),
  ];
}

/** Funds of a charge becoming available: `cash` of the marketplace's balance and the seller's `sellerShare`. */
export function fundsAvailableLines(p: { cash: Money; sellerId: string; sellerShare: Money }): LedgerLineInput[] {
  sameCurrency(p.cash, p.sellerShare);
  notNegative('cash', p.cash);
  notNegative('sellerShare', p.sellerShare);
  return nonZero([
    debit('platform_cash_available', p.cash),
    credit('platform_cash_pending', p.cash),
    debit('seller_payable_pending', p.sellerShare, p.sellerId),
    credit('seller_payable_available', p.sellerShare, p.sellerId),
  ]);
}

/**
 * A refund of a destination charge with reverse_transfer (Stripe reverses `refund` from the seller)
 * and refund_application_fee (Stripe returns `applicationFeeRefund` to the seller). The seller bears
 * refund - applicationFeeRefund, the platform applicationFeeRefund. Both come out of available funds.
 */
/**
 * A refund of `refund`: `reversed` is what Stripe's transfer reversal pulled back from the seller
 * (default: all of it, as reverse_transfer does); what it did not, the platform bears.
 */
export function refundLines(p: { refund: Money; applicationFeeRefund: Money; sellerId: string; reversed?: Money }): LedgerLineInput[] {
  const reversed = p.reversed ?? p.refund;
  sameCurrency(p.refund, p.applicationFeeRefund);
  sameCurrency(p.refund, reversed);
  positive('refund', p.refund);
  notNegative('applicationFeeRefund', p.applicationFeeRefund);
  notNegative('reversed', reversed);
  if (p.applicationFeeRefund.greaterThan(p.refund)) throw new InvalidAmountError('applicationFeeRefund must not exceed refund');
  if (reversed.greaterThan(p.refund)) throw new InvalidAmountError('reversed must not exceed refund');
  return nonZero([
    credit('platform_cash_available', p.refund),
    debit('seller_payable_available', reversed, p.sellerId),
    debit('refund_losses', p.refund.subtract(reversed)),
    credit('seller_payable_available', p.applicationFeeRefund, p.sellerId),
    debit('platform_fee_refunds', p.applicationFeeRefund),
  ]);
}

/** A dispute debited from the platform (losses.payments=application): the disputed amount plus Stripe's dispute fee. */
export function disputeWithdrawalLines(p: { amount: Money; disputeFee: Money }): LedgerLineInput[] {
  sameCurrency(p.amount, p.disputeFee);
  positive('amount', p.amount);
  notNegative('disputeFee', p.disputeFee);
  return nonZero([
    credit('platform_cash_available', p.amount.add(p.disputeFee)),
    debit('dispute_funds_withdrawn', p.amount),
    debit('dispute_fees', p.disputeFee),
  ]);
}

/** The disputed amount recovered from the seller by a transfer reversal. */
export function disputeRecoveryLines(p: { amount: Money; sellerId: string }): LedgerLineInput[] {
  positive('amount', p.amount);
  return [debit('seller_payable_available', p.amount, p.sellerId), credit('dispute_recoveries', p.amount)];
}

/** A won dispute: Stripe credits the disputed amount back. Also reverse() the recovery entry, if any. */
export function disputeWonLines(p: { amount: Money }): LedgerLineInput[] {
  positive('amount', p.amount);
  return [debit('platform_cash_available', p.amount), credit('dispute_funds_withdrawn', p.amount)];
}

/** A payout from the seller's available funds to their bank; reverse() it if the payout fails. */
export function sellerPayoutLines(p: { amount: Money; sellerId: string }): LedgerLineInput[] {
  positive('amount', p.amount);
  return [debit('seller_payable_available', p.amount, p.sellerId), credit('platform_cash_available', p.amount)];
}
