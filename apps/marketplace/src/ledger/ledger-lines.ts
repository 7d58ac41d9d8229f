import type { Money } from '@app/money';
import { findLedgerAccount, type LedgerAccountCode } from './chart-of-accounts.js';
import { LedgerErrors } from './ledger.errors.js';

/**
 * Where a line's amount came from at Stripe: the object that moved the money, its balance
 * transaction (null when Stripe gives none for that side, e.g. a connected account's side of an
 * application-fee refund), the Stripe balance it sits in (a connected account id, null for the
 * platform's) and when the funds are available.
 */
export interface StripeMovementRef {
  objectId: string;
  balanceTransactionId: string | null;
  account: string | null;
  availableOn: Date | null;
}

/** One line of an entry: debit positive, credit negative. `sellerId` only on per-seller accounts. */
export interface LedgerLineInput {
  account: LedgerAccountCode;
  amount: Money;
  sellerId?: string;
  stripe?: StripeMovementRef;
}

/** Debit `amount` (must be positive) to `account`. */
export function debit(account: LedgerAccountCode, amount: Money, sellerId?: string, stripe?: StripeMovementRef): LedgerLineInput {
  return { account, amount, ...(sellerId ? { sellerId } : {}), ...(stripe ? { stripe } : {}) };
}

/** Credit `amount` (must be positive) to `account`: the line's amount is negative. */
export function credit(account: LedgerAccountCode, amount: Money, sellerId?: string, stripe?: StripeMovementRef): LedgerLineInput {
  return debit(account, amount.negate(), sellerId, stripe);
}

/** Sum of the lines per currency, as decimal strings of minor units. */
export function totalsByCurrency(lines: readonly LedgerLineInput[]): Record<string, bigint> {
  const totals: Record<string, bigint> = {};
  for (const line of lines) totals[line.amount.currency] = (totals[line.amount.currency] ?? 0n) + line.amount.minor;
  return totals;
}

export function isBalanced(lines: readonly LedgerLineInput[]): boolean {
  return Object.values(totalsByCurrency(lines)).every((t) => t === 0n);
}

/**
 * What the database would refuse at commit, refused earlier with a code: fewer than two lines,
 * zero lines, unknown accounts, a seller id missing or misplaced, lines not summing to zero per currency.
 */
export function assertPostableLines(lines: readonly LedgerLineInput[]): void {
  if (!Array.isArray(lines) || lines.length < 2) throw LedgerErrors.tooFewLines();
  lines.forEach((line, i) => {
    const account = findLedgerAccount(line.account);
    if (!account) throw LedgerErrors.unknownAccount(line.account);
    if (account.perSeller && !line.sellerId) throw LedgerErrors.sellerRequired(account.code);
    if (!account.perSeller && line.sellerId) throw LedgerErrors.sellerNotAllowed(account.code);
    if (line.amount.isZero()) throw LedgerErrors.zeroLine(i);
  });
  const totals = totalsByCurrency(lines);
  if (Object.values(totals).some((t) => t !== 0n)) {
    throw LedgerErrors.unbalanced(Object.fromEntries(Object.entries(totals).map(([c, t]) => [c, t.toString()])));
  }
}
