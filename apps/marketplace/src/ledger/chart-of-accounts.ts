/**
 * The platform's chart of accounts. The ledger records the marketplace's funds at Stripe and who
 * has a claim on them: "cash at Stripe" is the money Stripe holds for the marketplace (the
 * platform balance plus what destination charges placed in connected accounts and is not yet
 * paid out), seller payables are each seller's claim on it, and revenue/expense accounts are the
 * platform's own result. Amounts are signed minor units: debit positive, credit negative; a
 * balance is reported on the account's normal side (a seller payable of USD 90.00 reads +9000).
 *
 * How each money movement is booked (ledger-recipes.ts builds these lines; post each through
 * LedgerService.post inside the transaction that records the movement):
 *
 *  Destination charge of `gross` paid to seller S (Stripe moves the whole charge to S's account):
 *    Dr platform_cash_pending gross          Cr seller_payable_pending[S] gross
 *  Its application fee `fee` (Stripe takes it back from S for the platform):
 *    Dr seller_payable_pending[S] fee        Cr platform_fee_revenue fee
 *    => S is owed gross - fee, the platform earned fee: fee + seller share = gross.
 *  Stripe's processing fee `stripeFee` (from the charge's balance transaction; charged to the platform):
 *    Dr stripe_processing_fees stripeFee     Cr platform_cash_pending stripeFee
 *  Funds becoming available (balance transaction available_on):
 *    Dr platform_cash_available x            Cr platform_cash_pending x
 *    Dr seller_payable_pending[S] y          Cr seller_payable_available[S] y
 *  Refund `r` with reverse_transfer (Stripe reverses r from S) and refund_application_fee
 *  (Stripe returns `feeRefund` = fee * r / gross to S):
 *    Cr platform_cash_available r            (the buyer gets r back)
 *    Dr seller_payable_available[S] r        (transfer reversal)
 *    Cr seller_payable_available[S] feeRefund, Dr platform_fee_refunds feeRefund
 *    => S bears r - feeRefund, the platform bears feeRefund.
 *  A refund Stripe fails after it succeeded: reverse() its entry (`refund-failed:<re>`); Stripe keeps
 *  the transfer reversal and the fee refund, so S's share (reversed - feeRefund) sits in the
 *  platform balance until the payments worker transfers it back to S. That transfer books nothing:
 *  cash at Stripe includes connected balances, and the reversal already made S's payable whole.
    When Stripe reverses less than r from S (`reversed`, e.g. a Dashboard refund without
    reverse_transfer, or a transfer already reversed): Dr seller_payable_available[S] reversed and
    Dr refund_losses r - reversed: the platform bears what the seller did not.
 *  Dispute of `amount` debited from the platform (losses.payments=application) plus Stripe's `disputeFee`:
 *    Cr platform_cash_available amount + disputeFee
 *    Dr dispute_funds_withdrawn amount, Dr dispute_fees disputeFee
 *  Recovery from S by transfer reversal `recovered`:
 *    Dr seller_payable_available[S] recovered  Cr dispute_recoveries recovered
 *  Dispute won: Dr platform_cash_available amount, Cr dispute_funds_withdrawn amount, and reverse()
 *  the recovery entry (the platform gives S the recovered funds back). Lost: nothing more.
 *  Seller payout `amount` (Stripe debits S's balance when the payout is created):
 *    Dr seller_payable_available[S] amount   Cr platform_cash_available amount
 *    A failed or canceled payout is reverse()d. Paid out to a seller = that seller's
 *    `seller_payout` entries minus their reversals (GET /admin/ledger/entries?referenceType=payout).
 */
export type LedgerAccountType = 'asset' | 'liability' | 'revenue' | 'expense';
export type NormalSide = 'debit' | 'credit';

export interface LedgerAccount {
  code: string;
  name: string;
  type: LedgerAccountType;
  normalSide: NormalSide;
  /** Lines of a per-seller account carry the seller's principal id (a sub-ledger per seller). */
  perSeller: boolean;
  description: string;
}

export const CHART_OF_ACCOUNTS = [
  {
    code: 'platform_cash_pending',
    name: 'Cash at Stripe, pending',
    type: 'asset',
    normalSide: 'debit',
    perSeller: false,
    description: 'Charged funds Stripe holds for the marketplace that are not yet available',
  },
  {
    code: 'platform_cash_available',
    name: 'Cash at Stripe, available',
    type: 'asset',
    normalSide: 'debit',
    perSeller: false,
    description: 'Available funds Stripe holds for the marketplace; refunds, disputes and payouts draw on it',
  },
  {
    code: 'seller_payable_pending',
    name: 'Seller payable, pending',
    type: 'liability',
    normalSide: 'credit',
    perSeller: true,
    description: "A seller's share of charges whose funds are not yet available",
  },
  {
    code: 'seller_payable_available',
    name: 'Seller payable, available',
    type: 'liability',
    normalSide: 'credit',
    perSeller: true,
    description: "A seller's available funds, not yet paid out; refunds, dispute recoveries and payouts reduce it",
  },
  {
    code: 'platform_fee_revenue',
    name: 'Platform fee revenue',
    type: 'revenue',
    normalSide: 'credit',
    perSeller: false,
    description: 'Application fees earned on charges',
  },
  {
    code: 'platform_fee_refunds',
    name: 'Refunds: application fees returned',
    type: 'revenue',
    normalSide: 'debit',
    perSeller: false,
    description: "Contra-revenue: the platform's share of refunds (application fees refunded)",
  },
  {
    code: 'refund_losses',
    name: 'Refunds borne by the platform',
    type: 'expense',
    normalSide: 'debit',
    perSeller: false,
    description: 'The part of a refund Stripe did not pull back from the seller (no or a smaller transfer reversal)',
  },
  {
    code: 'stripe_processing_fees',
    name: 'Stripe processing fees',
    type: 'expense',
    normalSide: 'debit',
    perSeller: false,
    description: "Stripe's fees on charges, read from their balance transactions",
  },
  {
    code: 'dispute_funds_withdrawn',
    name: 'Disputes: funds withdrawn',
    type: 'expense',
    normalSide: 'debit',
    perSeller: false,
    description: 'Disputed amounts debited from the platform; a won dispute credits them back',
  },
  {
    code: 'dispute_fees',
    name: 'Disputes: fees',
    type: 'expense',
    normalSide: 'debit',
    perSeller: false,
    description: "Stripe's dispute fees",
  },
  {
    code: 'dispute_recoveries',
    name: 'Disputes: recovered from sellers',
    type: 'expense',
    normalSide: 'credit',
    perSeller: false,
    description: 'Contra-expense: disputed amounts recovered from sellers by transfer reversal',
  },
] as const satisfies readonly LedgerAccount[];

export type LedgerAccountCode = (typeof CHART_OF_ACCOUNTS)[number]['code'];

const BY_CODE: ReadonlyMap<string, LedgerAccount> = new Map(CHART_OF_ACCOUNTS.map((a) => [a.code, a]));

export function findLedgerAccount(code: string): LedgerAccount | undefined {
  return BY_CODE.get(code);
}

export function isLedgerAccountCode(code: string): code is LedgerAccountCode {
  return BY_CODE.has(code);
}
