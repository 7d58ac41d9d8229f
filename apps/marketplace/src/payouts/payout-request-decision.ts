import { formatMoney, Money } from '@app/money';
import type { DomainError } from '../common/domain-error.js';
import { PayoutRequestsErrors } from './payout-requests.errors.js';

export interface BalanceSides {
  currency: string;
  stripe: { available: bigint; pending: bigint };
  ledger: { available: bigint; pending: bigint };
  matches: boolean;
}

/** What a new request is: its amount, and why it is held (null: it goes to review). */
export interface PayoutRequestDecision {
  amount: bigint;
  held: { code: 'PAYOUTS.BALANCE_MISMATCH'; reason: string } | null;
}

const show = (minor: bigint, currency: string) => formatMoney(Money.of(minor, currency));

/** The words of a ledger/Stripe difference, naming both figures. */
export function mismatchReason(b: BalanceSides): string {
  const { currency: c } = b;
  return (
    `Held: Stripe reports ${show(b.stripe.available, c)} available and ${show(b.stripe.pending, c)} pending on the connected account, ` +
    `the ledger ${show(b.ledger.available, c)} available and ${show(b.ledger.pending, c)} pending; ` +
    'neither figure is paid until they agree (the request is checked again by the scheduled job or an admin)'
  );
}

/**
 * A new request for `asked` (or, omitted, what is available) against Stripe's available balance and
 * the ledger's: refused with a code (nothing is written), held when the two sides differ (it pays
 * neither figure: an amount omitted is the smaller of the two, for the record), else for review.
 */
export function decidePayoutRequest(b: BalanceSides, asked: bigint | undefined, minimum: bigint): PayoutRequestDecision | DomainError {
  const c = b.currency;
  const available = b.stripe.available;
  if (available <= 0n) return PayoutRequestsErrors.nothingAvailable(c, b.stripe.pending > 0n ? show(b.stripe.pending, c) : null);
  if (asked !== undefined && asked > available) return PayoutRequestsErrors.aboveAvailable(show(asked, c), show(available, c));
  const amount = asked ?? (b.matches || b.ledger.available > available ? available : b.ledger.available);
  if (amount <= 0n) return PayoutRequestsErrors.nothingAvailable(c, null);
  if (amount < minimum) return PayoutRequestsErrors.belowMinimum(show(amount, c), show(minimum, c));
  return { amount, held: b.matches ? null : { code: 'PAYOUTS.BALANCE_MISMATCH', reason: mismatchReason(b) } };
}
