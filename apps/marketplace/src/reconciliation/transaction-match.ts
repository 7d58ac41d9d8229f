import type { ListedBalanceTransaction } from '@app/stripe';
import type { DiscrepancyKind } from './discrepancies.js';

/** What the ledger booked for one Stripe balance transaction in one balance. */
export interface LedgerFigures {
  /** Sum of the balance's cash lines (pending and available) carrying the transaction: its net. */
  net: bigint;
  /** Sum of the lines on Stripe's fee accounts carrying it (processing and dispute fees): its fee. */
  fee: bigint;
  currencies: string[];
  entryIds: string[];
}

export type TransactionVerdict = { outcome: 'matched' } | { outcome: 'discrepancy'; kind: DiscrepancyKind; stripeAmount: bigint; ledgerAmount: bigint | null; summary: string };

// Balance transactions that are Stripe's own charges to the platform: the ledger books none of them today.
const STRIPE_FEE_TYPES = new Set(['stripe_fee', 'tax_fee', 'network_cost', 'stripe_fx_fee']);

/**
 * One Stripe balance transaction against the ledger's booking of it: the same net, fee and currency,
 * with no tolerance. A transaction the ledger never saw is missing (a Stripe fee the ledger never saw
 * is an unexpected fee); a net that differs is an amount mismatch (whatever the fee: the money is
 * wrong); with the net right, Stripe's own fee (not an application fee) that differs is an unexpected fee.
 */
export function matchTransaction(txn: Pick<ListedBalanceTransaction, 'id' | 'type' | 'amount' | 'fee' | 'applicationFee' | 'net' | 'currency'>, ledger: LedgerFigures | null): TransactionVerdict {
  // an application fee in a connected account's fee is the platform's revenue, booked from the platform's side
  const stripeFee = txn.fee - txn.applicationFee;
  if (!ledger) {
    if (txn.amount === 0n && txn.fee === 0n) return { outcome: 'matched' }; // nothing moved (the ledger refuses zero lines)
    const kind: DiscrepancyKind = STRIPE_FEE_TYPES.has(txn.type) ? 'unexpected_fee' : 'missing_in_ledger';
    return { outcome: 'discrepancy', kind, stripeAmount: txn.net, ledgerAmount: null, summary: `Stripe's ${txn.type} ${txn.id} (net ${txn.net} ${txn.currency}) is not in the ledger` };
  }
  if (ledger.currencies.length !== 1 || ledger.currencies[0] !== txn.currency)
    return {
      outcome: 'discrepancy',
      kind: 'currency_mismatch',
      stripeAmount: txn.net,
      ledgerAmount: ledger.net,
      summary: `${txn.id} moved ${txn.currency} at Stripe; the ledger booked it in ${ledger.currencies.join(', ')}`,
    };
  if (ledger.net !== txn.net)
    return {
      outcome: 'discrepancy',
      kind: 'amount_mismatch',
      stripeAmount: txn.net,
      ledgerAmount: ledger.net,
      summary: `${txn.id} moved ${txn.net} ${txn.currency} at Stripe (fee ${stripeFee}); the ledger booked ${ledger.net} (fee ${ledger.fee})`,
    };
  if (ledger.fee !== stripeFee)
    return {
      outcome: 'discrepancy',
      kind: 'unexpected_fee',
      stripeAmount: stripeFee,
      ledgerAmount: ledger.fee,
      summary: `Stripe took a fee of ${stripeFee} ${txn.currency} on ${txn.id}; the ledger booked ${ledger.fee}`,
    };
  return { outcome: 'matched' };
}
