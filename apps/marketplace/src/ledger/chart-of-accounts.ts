/**
 * The platform's chart of accounts. The ledger mirrors Stripe's balances and says who is owed what:
 *  - one cash account pair (pending, available) per Stripe balance: `platform_cash_*` is the
 *    platform's own Stripe balance, `connected_cash_*[S]` the balance of seller S's connected
 *    account. Every cash line is booked from the Stripe object that moved the money, with that
 *    object's id, its balance transaction id, its `available_on` and the Stripe balance it sits in,
 *    in the currency of the balance transaction (Stripe's settlement currency). So, per currency,
 *    the ledger's cash of each balance equals `GET /v1/balance` for it (BalanceCheckService).
 *  - seller payables (pending, available) per seller: what the marketplace owes each seller,
 *    wherever the funds sit (the seller's connected balance, or the platform's for funds held
 *    before a transfer). The pending/available side of a payable follows the connected cash line
 *    it came with.
 *  - revenue and expense accounts: the platform's own result.
 * Amounts are signed minor units: debit positive, credit negative; a balance is reported on the
 * account's normal side (a seller payable of USD 90.00 reads +9000).
 *
 * How each money movement is booked (ledger-recipes.ts builds these lines; post each through
 * LedgerService.post inside the transaction that records the movement). `[txn]` marks a line
 * booked from a balance transaction: it goes to the `_available` account if Stripe already reports
 * the transaction available, else to `_pending` until its `available_on` (LedgerAvailabilityService
 * books `available:<txn>`: Dr *_available, Cr *_pending, and for a connected balance the seller's
 * payable moves from pending to available by the same amount).
 *
 *  Destination charge of `gross` to seller S, application fee `fee`, Stripe's processing fee `stripeFee`:
 *    Dr platform_cash       gross - stripeFee   [charge txn: net]
 *    Dr stripe_processing_fees stripeFee        [charge txn: fee]
 *    Cr platform_cash       gross               [transfer txn of the destination charge's tr_]
 *    Dr platform_cash       fee                 [application_fee txn]
 *    Dr connected_cash[S]   gross - fee         [the py_ payment's txn on S's account: net]
 *    Cr seller_payable[S]   gross - fee,  Cr platform_fee_revenue fee
 *  A charge for several sellers (funds held on the platform until transferred):
 *    Dr platform_cash gross - stripeFee [charge txn], Dr stripe_processing_fees stripeFee,
 *    Cr seller_payable_pending[S] share(S) - borne(S) and Cr platform_fee_revenue fee(S) for each seller,
 *    Cr stripe_processing_fees borne(S): S's part of Stripe's fee (MULTI_SELLER_STRIPE_FEE=sellers, else 0).
 *  Its transfer `x` = share(S) - borne(S) to S (source_transaction = the charge: available with it):
 *    Cr platform_cash x [transfer txn];  Dr connected_cash[S] x [py_ txn]
 *    Dr seller_payable_pending[S] x (the platform-held payable, no txn);  Cr seller_payable[S] x [py_ txn's side]
 *  A transfer made from the Dashboard (no order row): the two cash lines only; payables unchanged.
 *  One to a connected account that is no seller of ours (its balance is not mirrored): Cr platform_cash x
 *  [transfer txn];  Dr transfers_to_other_accounts x (a suspense balance for an admin).
 *  Refund `r` with reverse_transfer (reversal `rev` pulled back from S) and refund_application_fee
 *  (fee refunds `f`, as Stripe made them: its fee refund objects, never our own formula):
 *    Cr platform_cash r [refund txn];  Dr platform_cash rev [transfer_refund txn];  Cr connected_cash[S] rev [payment_refund txn]
 *    Cr platform_cash f [application_fee_refund txn];  Dr connected_cash[S] f (S's side of the fee refund)
 *    Dr seller_payable[S] rev - f,  Dr platform_fee_refunds f,  Dr refund_losses r - rev (what S did not bear)
 *  A refund Stripe fails after it succeeded: Dr platform_cash r [refund_failure txn]; Cr refund_losses
 *  r - rev, Cr platform_fee_refunds f, Cr seller_payable_available[S] rev - f (owed again). Stripe keeps
 *  the reversal and the fee refund, so the payments worker transfers rev - f back to S:
 *    Cr platform_cash x [transfer txn];  Dr connected_cash[S] x [py_ txn]   (payables unchanged)
 *  Dispute of `amount` debited from the platform (losses.payments=application) plus `disputeFee`,
 *  booked per dispute balance transaction:
 *    Cr platform_cash amount + disputeFee [txn];  Dr dispute_funds_withdrawn amount, Dr dispute_fees disputeFee
 *    A reinstatement (won) is the same with the signs turned [its txn].
 *  Recovery from S by transfer reversal `x` (DISPUTE_RECOVERY=seller_share: with refund_application_fee,
 *  fee refunds `f` as Stripe made them; full: f = 0):
 *    Dr platform_cash x [transfer_refund txn];  Cr connected_cash[S] x [payment_refund txn]
 *    Cr platform_cash f [application_fee_refund txn];  Dr connected_cash[S] f (S's side of the fee refund)
 *    Dr seller_payable_available[S] x - f,  Cr dispute_recoveries x,  Dr platform_fee_refunds f
 *  Return of a recovery (dispute won) by a transfer `y` = x - f (what S lost):
 *    Cr platform_cash y [transfer txn];  Dr connected_cash[S] y [py_ txn];  Cr seller_payable[S] y,
 *    Dr dispute_recoveries y + f,  Cr platform_fee_refunds f (the fee is the platform's again)
 *  A refund after such a return whose own reversal pulled back less than S's share (REFUND_AFTER_RETURN=
 *  reverse_return): the return transfer reversed by `z`:
 *    Dr platform_cash z [transfer_refund txn];  Cr connected_cash[S] z [payment_refund txn];  Dr seller_payable[S] z,  Cr refund_losses z
 *  Refund `r` of a multi-seller charge (no reverse_transfer: the charge is the platform's): Cr platform_cash r
 *  [refund txn]. Each seller's part `x(S)` (their transfer × refunded / gross, largest remainder): a
 *  transfer not sent yet is lowered by it: Dr seller_payable_pending[S] x(S); one already made is
 *  reversed later: Dr refund_losses x(S) now, and when Stripe reverses it (its own row, key
 *  `transfer-reversal:<refundId>:<sellerId>`): Dr platform_cash x [transfer_refund txn];
 *  Cr connected_cash[S] x [payment_refund txn]; Dr seller_payable[S] x; Cr refund_losses x.
 *  Dr refund_losses for the rest of r (the platform's fee and Stripe's fee part: the platform bears it).
 *  A reversal Stripe refuses (balance_insufficient): the seller owes it: Dr seller_debts[S] x, Cr refund_losses x.
 *  Lowering more than is left of a pending transfer: the excess is a debt: Dr seller_debts[S], Cr seller_payable_pending[S].
 *  That refund failing at Stripe after it succeeded: Dr platform_cash r [refund_failure txn]; Cr refund_losses r.
 *  Then what it took from each seller is given back (once their reversals in flight are settled):
 *    Dr refund_losses owed(S) + canceled(S);  Cr seller_payable_pending[S] owed(S) (a lowering given back
 *    to the unsent transfer, or a reversal made / a debt part netted, moved by a return transfer);
 *    Cr seller_debts[S] canceled(S) (the debt's unrecovered part, canceled). The return transfer `y`
 *    (no source_transaction): booked as the order's transfer above (cash both sides, payable platform-held -> S's side).
 *  The platform's own payout `p` to its bank (automatic or manual, from its `payout` balance transaction;
 *  a failed or canceled one's `payout_failure` / `payout_cancel` transaction turns it around):
 *    Cr platform_cash p [payout txn: net];  Dr platform_payouts p
 *  Netting a debt `d` from S's next order's transfer (lowered by d before it is made):
 *    Dr seller_payable_pending[S] d;  Cr seller_debts[S] d
 *  Payout of `amount` from S's connected balance (created; a failed or canceled one comes back):
 *    Cr connected_cash_available[S] amount [payout txn];  Dr seller_payable_available[S] amount
 *    Dr connected_cash_available[S] amount [payout_failure / payout_cancel txn];  Cr seller_payable_available[S] amount
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
    name: "Platform's Stripe balance, pending",
    type: 'asset',
    normalSide: 'debit',
    perSeller: false,
    description: "The platform's Stripe balance not yet available (GET /v1/balance pending)",
  },
  {
    code: 'platform_cash_available',
    name: "Platform's Stripe balance, available",
    type: 'asset',
    normalSide: 'debit',
    perSeller: false,
    description: "The platform's available Stripe balance (GET /v1/balance available); refunds, disputes and transfers draw on it",
  },
  {
    code: 'connected_cash_pending',
    name: "Seller's connected Stripe balance, pending",
    type: 'asset',
    normalSide: 'debit',
    perSeller: true,
    description: "A seller's connected account balance not yet available (GET /v1/balance with Stripe-Account, pending)",
  },
  {
    code: 'connected_cash_available',
    name: "Seller's connected Stripe balance, available",
    type: 'asset',
    normalSide: 'debit',
    perSeller: true,
    description: "A seller's available connected account balance (GET /v1/balance with Stripe-Account, available); payouts draw on it",
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
  {
    code: 'seller_debts',
    name: 'Seller debts to the platform',
    type: 'asset',
    normalSide: 'debit',
    perSeller: true,
    description: 'What a seller owes the platform: a reversal their connected balance could not cover (balance_insufficient), recovered from their next transfers',
  },
  {
    code: 'transfers_to_other_accounts',
    name: 'Transfers to accounts that are not sellers',
    type: 'asset',
    normalSide: 'debit',
    perSeller: false,
    description: "Platform funds transferred (e.g. from Stripe's Dashboard) to a connected account that is no seller of the marketplace: a suspense balance for an admin to explain or recover",
  },
  {
    code: 'platform_payouts',
    name: 'Platform payouts to its bank',
    type: 'asset',
    normalSide: 'debit',
    perSeller: false,
    description: "The platform's own Stripe balance paid out to its bank account (its payouts, automatic or manual, booked from their balance transactions); a failed or canceled payout puts it back",
  },
] as const satisfies readonly LedgerAccount[];

export type LedgerAccountCode = (typeof CHART_OF_ACCOUNTS)[number]['code'];

const BY_CODE: ReadonlyMap<string, LedgerAccount> = new Map(CHART_OF_ACCOUNTS.map((a) => [a.code, a]));

export function findLedgerAccount(code: string): LedgerAccount | undefined {
  return BY_CODE.get(code);
}

/** The cash accounts, one pair per Stripe balance. */
export const CASH_ACCOUNTS = {
  platform: { pending: 'platform_cash_pending', available: 'platform_cash_available' },
  connected: { pending: 'connected_cash_pending', available: 'connected_cash_available' },
} as const;

export function isLedgerAccountCode(code: string): code is LedgerAccountCode {
  return BY_CODE.has(code);
}
