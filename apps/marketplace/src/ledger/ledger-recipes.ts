import { InvalidAmountError, Money } from '@app/money';
import { CASH_ACCOUNTS } from './chart-of-accounts.js';
import { credit, debit, type LedgerLineInput, type StripeMovementRef } from './ledger-lines.js';

// Pure builders of balanced lines for the bookings documented in chart-of-accounts.ts. Amounts
// come from Stripe's balance transactions (their net, fee, currency and availability), never from
// our own arithmetic: Stripe's numbers are booked as Stripe reports them. A zero part is left out
// (the database refuses zero lines). Suggested entry kinds are in LEDGER_ENTRY_KINDS.

export const LEDGER_ENTRY_KINDS = {
  charge: 'charge', // a paid charge: everything it moved, one entry per charge
  fundsAvailable: 'funds_available',
  refund: 'refund',
  refundFailed: 'refund_failed',
  transfer: 'transfer',
  disputeWithdrawal: 'dispute_withdrawal',
  disputeReinstatement: 'dispute_won',
  disputeRecovery: 'dispute_recovery',
  disputeReturn: 'dispute_return',
  sellerPayout: 'seller_payout',
  sellerPayoutReturned: 'seller_payout_returned',
  platformPayout: 'platform_payout',
  platformPayoutReturned: 'platform_payout_returned',
  reversal: 'reversal',
  refundReturnReversal: 'refund_return_reversal',
  transferReversal: 'transfer_reversal',
  sellerDebt: 'seller_debt',
  sellerDebtNetting: 'seller_debt_netting',
  reconciliationCorrection: 'reconciliation_correction', // an entry booked wrong, negated by an admin's heal
} as const;

/** The part of a Stripe balance transaction the ledger books (our snapshot has these fields). */
export interface BookedTransaction {
  id: string;
  amount: bigint;
  fee: bigint;
  net: bigint;
  currency: string;
  availableOn: Date;
  /** 'available' or 'pending', as Stripe reported it when it was read. */
  status: string;
}

/** Which Stripe balance a cash line sits in. */
export type StripeBalanceRef = { kind: 'platform' } | { kind: 'connected'; sellerId: string; account: string };

export const PLATFORM_BALANCE: StripeBalanceRef = { kind: 'platform' };

/** A Stripe object and the balance transaction it made in one balance. */
export interface Movement {
  objectId: string;
  txn: BookedTransaction;
}

const isAvailable = (txn: BookedTransaction) => txn.status === 'available';
const moneyOf = (minor: bigint, txn: BookedTransaction) => Money.of(minor, txn.currency);

function ref(balance: StripeBalanceRef, m: Movement): StripeMovementRef {
  return { objectId: m.objectId, balanceTransactionId: m.txn.id, account: balance.kind === 'connected' ? balance.account : null, availableOn: m.txn.availableOn };
}

function sellerOf(balance: StripeBalanceRef): string | undefined {
  return balance.kind === 'connected' ? balance.sellerId : undefined;
}

/** The cash line of a balance transaction: its net, in that balance's pending or available account. */
export function cashLine(balance: StripeBalanceRef, m: Movement, minor: bigint = m.txn.net): LedgerLineInput {
  const pair = balance.kind === 'platform' ? CASH_ACCOUNTS.platform : CASH_ACCOUNTS.connected;
  return debit(isAvailable(m.txn) ? pair.available : pair.pending, moneyOf(minor, m.txn), sellerOf(balance), ref(balance, m));
}

/** A seller payable line on the side (pending/available) of the connected movement it came with. */
function payable(sellerId: string, amount: Money, available: boolean, stripe?: StripeMovementRef): LedgerLineInput {
  return debit(available ? 'seller_payable_available' : 'seller_payable_pending', amount, sellerId, stripe);
}

function nonZero(lines: LedgerLineInput[]): LedgerLineInput[] {
  return lines.filter((l) => !l.amount.isZero());
}

function positive(name: string, amount: bigint): void {
  if (amount <= 0n) throw new InvalidAmountError(`${name} must be positive, got ${amount}`);
}

/**
 * A paid destination charge, from the Stripe objects it made: the charge (net and Stripe's fee),
 * its transfer to the seller, the application fee, and the py_ payment on the seller's account.
 * Afterwards the seller's payable is what Stripe credited their balance (gross - fee) and the
 * platform earned the application fee.
 */
export function paidDestinationChargeLines(p: {
  seller: Extract<StripeBalanceRef, { kind: 'connected' }>;
  charge: Movement;
  transfer: Movement;
  applicationFee: Movement | null;
  payment: Movement;
}): LedgerLineInput[] {
  const { seller, charge, transfer, applicationFee, payment } = p;
  positive('charge amount', charge.txn.amount);
  return nonZero([
    cashLine(PLATFORM_BALANCE, charge),
    debit('stripe_processing_fees', moneyOf(charge.txn.fee, charge.txn), undefined, ref(PLATFORM_BALANCE, charge)),
    cashLine(PLATFORM_BALANCE, transfer),
    ...(applicationFee
      ? [cashLine(PLATFORM_BALANCE, applicationFee), credit('platform_fee_revenue', moneyOf(applicationFee.txn.net, applicationFee.txn), undefined, ref(PLATFORM_BALANCE, applicationFee))]
      : []),
    cashLine(seller, payment),
    payable(seller.sellerId, moneyOf(-payment.txn.net, payment.txn), isAvailable(payment.txn), ref(seller, payment)),
  ]);
}

/**
 * A paid charge for several sellers: the platform holds the funds (the charge's net), Stripe's fee
 * is an expense, each seller is owed their share and the platform earned each fee, until transfers
 * move the shares. Shares and fees are the order's split, in the charge's currency. A seller who
 * bears part of Stripe's fee (MULTI_SELLER_STRIPE_FEE=sellers, `stripeFee`) is owed that much less,
 * and that part of the expense is recovered from them.
 */
export function paidSeparateChargeLines(p: { charge: Movement; sellers: Array<{ sellerId: string; share: Money; fee: Money; stripeFee?: Money }> }): LedgerLineInput[] {
  positive('charge amount', p.charge.txn.amount);
  return nonZero([
    cashLine(PLATFORM_BALANCE, p.charge),
    debit('stripe_processing_fees', moneyOf(p.charge.txn.fee, p.charge.txn), undefined, ref(PLATFORM_BALANCE, p.charge)),
    ...p.sellers.flatMap((s) => {
      const borne = s.stripeFee ?? Money.zero(s.share.currency);
      return [credit('seller_payable_pending', s.share.subtract(borne), s.sellerId), credit('platform_fee_revenue', s.fee), credit('stripe_processing_fees', borne)];
    }),
  ]);
}

/**
 * A refund of a destination charge as Stripe made it: the refund, the transfer reversal it pulled
 * back from the seller (both sides), and the application-fee refunds Stripe made with it (their
 * platform side; the seller's side of a fee refund has no balance transaction of its own to read).
 * The seller bears what the reversal took minus the fees returned to them; the platform bears the
 * fee refunds and whatever the reversal did not pull back (refund_losses).
 */
export function refundLines(p: {
  seller: Extract<StripeBalanceRef, { kind: 'connected' }>;
  refund: Movement;
  reversal: { platform: Movement; connected: Movement } | null;
  feeRefunds: Movement[];
}): LedgerLineInput[] {
  const { seller, refund, reversal, feeRefunds } = p;
  const r = -refund.txn.net;
  positive('refund', r);
  const reversed = reversal ? reversal.platform.txn.net : 0n;
  const feeReturned = feeRefunds.reduce((sum, f) => sum - f.txn.net, 0n);
  const sellerSideAvailable = reversal ? isAvailable(reversal.connected.txn) : true;
  const money = (minor: bigint) => moneyOf(minor, refund.txn);
  return nonZero([
    cashLine(PLATFORM_BALANCE, refund),
    ...(reversal ? [cashLine(PLATFORM_BALANCE, reversal.platform), cashLine(seller, reversal.connected)] : []),
    ...feeRefunds.flatMap((f) => [
      cashLine(PLATFORM_BALANCE, f),
      debit(CASH_ACCOUNTS.connected.available, moneyOf(-f.txn.net, f.txn), seller.sellerId, { objectId: f.objectId, balanceTransactionId: null, account: seller.account, availableOn: null }),
    ]),
    payable(seller.sellerId, money(reversed - feeReturned), sellerSideAvailable, reversal ? ref(seller, reversal.connected) : undefined),
    debit('platform_fee_refunds', money(feeReturned)),
    debit('refund_losses', money(r - reversed)),
  ]);
}

/**
 * A refund Stripe failed after it succeeded: the money comes back to the platform (the
 * refund_failure balance transaction). Stripe keeps the transfer reversal and the fee refund made
 * with it, so the seller is owed again what they bore (reversed - feeReturned) and the loss and the
 * fee refund of that refund are undone.
 */
export function refundFailedLines(p: { sellerId: string; failure: Movement; reversed: bigint; feeReturned: bigint }): LedgerLineInput[] {
  const r = p.failure.txn.net;
  positive('refund failure', r);
  const money = (minor: bigint) => moneyOf(minor, p.failure.txn);
  return nonZero([
    cashLine(PLATFORM_BALANCE, p.failure),
    credit('refund_losses', money(r - p.reversed)),
    credit('platform_fee_refunds', money(p.feeReturned)),
    payable(p.sellerId, money(-(p.reversed - p.feeReturned)), true),
  ]);
}

/**
 * A transfer from the platform's balance to a connected account that is no seller of ours (made
 * from the Dashboard): the platform's cash as Stripe moved it; the other side is not a balance this
 * ledger mirrors, so it waits in a suspense account for an admin to explain.
 */
export function transferToOtherAccountLines(p: { transfer: Movement }): LedgerLineInput[] {
  const out = -p.transfer.txn.net;
  positive('transfer', out);
  return [cashLine(PLATFORM_BALANCE, p.transfer), debit('transfers_to_other_accounts', moneyOf(out, p.transfer.txn), undefined, ref(PLATFORM_BALANCE, p.transfer))];
}

/** A Dashboard reversal of a transfer to an account that is no seller: the platform's cash comes back, the suspense balance shrinks. */
export function transferToOtherAccountReversalLines(p: { reversal: Movement }): LedgerLineInput[] {
  const back = p.reversal.txn.net;
  positive('transfer reversal', back);
  return [cashLine(PLATFORM_BALANCE, p.reversal), debit('transfers_to_other_accounts', moneyOf(-back, p.reversal.txn), undefined, ref(PLATFORM_BALANCE, p.reversal))];
}

/**
 * A transfer from the platform's balance to a seller's connected balance (both sides), e.g. a
 * failed refund's share returned: cash moves between Stripe balances, nobody's claim changes.
 */
export function transferLines(p: { seller: Extract<StripeBalanceRef, { kind: 'connected' }>; transfer: Movement; payment: Movement }): LedgerLineInput[] {
  return nonZero([cashLine(PLATFORM_BALANCE, p.transfer), cashLine(p.seller, p.payment)]);
}

/**
 * A multi-seller order's transfer of a seller's share (both sides): cash moves from the platform's
 * balance to the seller's, and the seller's payable moves with it, from the platform-held pending
 * payable the charge booked (no balance transaction of its own) to the side of the py_ payment on
 * their account (pending until its available_on, when LedgerService.bookAvailable moves it on).
 */
export function orderTransferLines(p: { seller: Extract<StripeBalanceRef, { kind: 'connected' }>; transfer: Movement; payment: Movement }): LedgerLineInput[] {
  const x = p.payment.txn.net;
  positive('transfer', x);
  const money = moneyOf(x, p.payment.txn);
  return nonZero([
    cashLine(PLATFORM_BALANCE, p.transfer),
    cashLine(p.seller, p.payment),
    debit('seller_payable_pending', money, p.seller.sellerId),
    payable(p.seller.sellerId, money.negate(), isAvailable(p.payment.txn), ref(p.seller, p.payment)),
  ]);
}

/**
 * One balance transaction of a dispute on the platform (losses.payments=application): a withdrawal
 * (amount and Stripe's dispute fee out) or a reinstatement (both back), booked as Stripe made it.
 */
export function disputeTransactionLines(p: { dispute: Movement }): LedgerLineInput[] {
  const { txn } = p.dispute;
  const stripe = ref(PLATFORM_BALANCE, p.dispute);
  return nonZero([
    cashLine(PLATFORM_BALANCE, p.dispute),
    debit('dispute_funds_withdrawn', moneyOf(-txn.amount, txn), undefined, stripe),
    debit('dispute_fees', moneyOf(txn.fee, txn), undefined, stripe),
  ]);
}

/**
 * The disputed amount recovered from the seller by a transfer reversal (both sides of it), and the
 * application-fee refunds Stripe made with it (DISPUTE_RECOVERY=seller_share: `refund_application_fee`,
 * their platform side; the seller's side has no balance transaction of its own to read). The
 * seller loses what the reversal took minus the fee returned to them (what they netted of the
 * disputed amount); the platform recovers the reversal and bears its fee (platform_fee_refunds).
 */
export function disputeRecoveryLines(p: {
  seller: Extract<StripeBalanceRef, { kind: 'connected' }>;
  reversal: { platform: Movement; connected: Movement };
  feeRefunds?: Movement[];
}): LedgerLineInput[] {
  const x = p.reversal.platform.txn.net;
  positive('recovery', x);
  const feeRefunds = p.feeRefunds ?? [];
  const feeReturned = feeRefunds.reduce((sum, f) => sum - f.txn.net, 0n);
  const money = (minor: bigint) => moneyOf(minor, p.reversal.platform.txn);
  return nonZero([
    cashLine(PLATFORM_BALANCE, p.reversal.platform),
    cashLine(p.seller, p.reversal.connected),
    ...feeRefunds.flatMap((f) => [
      cashLine(PLATFORM_BALANCE, f),
      debit(CASH_ACCOUNTS.connected.available, moneyOf(-f.txn.net, f.txn), p.seller.sellerId, { objectId: f.objectId, balanceTransactionId: null, account: p.seller.account, availableOn: null }),
    ]),
    payable(p.seller.sellerId, money(x - feeReturned), isAvailable(p.reversal.connected.txn), ref(p.seller, p.reversal.connected)),
    credit('dispute_recoveries', money(x)),
    debit('platform_fee_refunds', money(feeReturned)),
  ]);
}

/**
 * A won dispute's recovery given back to the seller by a transfer (both sides of it): the seller
 * gets back what they lost (the transfer), the recovery is undone, and the application fee the
 * recovery refunded (`feeRefunded`, as booked from Stripe's fee refunds) is the platform's again:
 * it kept that part of the reinstated funds.
 */
export function disputeReturnLines(p: { seller: Extract<StripeBalanceRef, { kind: 'connected' }>; transfer: Movement; payment: Movement; feeRefunded?: bigint }): LedgerLineInput[] {
  const x = p.payment.txn.net;
  positive('return', x);
  const f = p.feeRefunded ?? 0n;
  const money = (minor: bigint) => moneyOf(minor, p.payment.txn);
  return nonZero([
    cashLine(PLATFORM_BALANCE, p.transfer),
    cashLine(p.seller, p.payment),
    payable(p.seller.sellerId, money(-x), isAvailable(p.payment.txn), ref(p.seller, p.payment)),
    debit('dispute_recoveries', money(x + f)),
    credit('platform_fee_refunds', money(f)),
  ]);
}

/**
 * A refund's missing seller share taken from the order's return transfer (a won dispute's return,
 * a failed refund's return) by reversing it (both sides): the seller bears it as a refund would
 * have had the charge's own transfer still been there, and the platform's refund loss shrinks.
 */
export function returnReversalLines(p: { seller: Extract<StripeBalanceRef, { kind: 'connected' }>; reversal: { platform: Movement; connected: Movement } }): LedgerLineInput[] {
  const x = p.reversal.platform.txn.net;
  positive('return reversal', x);
  const money = moneyOf(x, p.reversal.platform.txn);
  return nonZero([
    cashLine(PLATFORM_BALANCE, p.reversal.platform),
    cashLine(p.seller, p.reversal.connected),
    payable(p.seller.sellerId, money, isAvailable(p.reversal.connected.txn), ref(p.seller, p.reversal.connected)),
    credit('refund_losses', money),
  ]);
}

/**
 * A refund of a multi-seller charge (no reverse_transfer: the funds are the platform's). Each
 * seller's part of a transfer not sent yet lowers their platform-held payable (`lowered`; what a
 * lowering wanted beyond what was left of the transfer is their debt, `debts`); the rest is borne
 * by the platform until the reversals of transfers already made pull it back (each booked by
 * returnReversalLines: Cr refund_losses) or it becomes a debt (sellerDebtLines).
 */
export function separateChargeRefundLines(p: { refund: Movement; lowered: Array<{ sellerId: string; amount: bigint }>; debts: Array<{ sellerId: string; amount: bigint }> }): LedgerLineInput[] {
  const r = -p.refund.txn.net;
  positive('refund', r);
  const money = (minor: bigint) => moneyOf(minor, p.refund.txn);
  const lowered = p.lowered.reduce((sum, l) => sum + l.amount, 0n);
  return nonZero([
    cashLine(PLATFORM_BALANCE, p.refund),
    ...p.lowered.map((l) => debit('seller_payable_pending', money(l.amount), l.sellerId)),
    ...p.debts.flatMap((d) => [debit('seller_debts', money(d.amount), d.sellerId), credit('seller_payable_pending', money(d.amount), d.sellerId)]),
    debit('refund_losses', money(r - lowered)),
  ]);
}

/**
 * A refund of a multi-seller charge Stripe failed after it succeeded: the buyer's money is back on
 * the platform (the refund_failure balance transaction), and the refund's whole loss is undone
 * (Cr refund_losses r). What the refund took from each seller is given back to them right after
 * (separateChargeRefundFailedSellerLines), once their reversals in flight are settled.
 */
export function separateChargeRefundFailedLines(p: { failure: Movement }): LedgerLineInput[] {
  const r = p.failure.txn.net;
  positive('refund failure', r);
  return nonZero([cashLine(PLATFORM_BALANCE, p.failure), credit('refund_losses', moneyOf(r, p.failure.txn))]);
}

/**
 * What a failed refund of a multi-seller charge took from each seller, given back: the seller is
 * owed `owed` again, platform-held (seller_payable_pending: a lowering given back to their unsent
 * transfer, or what a return transfer then moves to them: a reversal Stripe made, a debt already
 * netted), and the part of their debt from that refund not recovered yet is canceled. The platform
 * bears all of it again first (refund_losses), as it did before the refund took it from the seller.
 */
export function separateChargeRefundFailedSellerLines(p: { currency: string; sellers: Array<{ sellerId: string; owed: bigint; canceled: bigint }> }): LedgerLineInput[] {
  const money = (minor: bigint) => Money.of(minor, p.currency);
  const total = p.sellers.reduce((sum, s) => sum + s.owed + s.canceled, 0n);
  for (const s of p.sellers) if (s.owed < 0n || s.canceled < 0n) throw new InvalidAmountError(`seller ${s.sellerId}'s part cannot be negative`);
  return nonZero([
    debit('refund_losses', money(total)),
    ...p.sellers.flatMap((s) => [credit('seller_payable_pending', money(s.owed), s.sellerId), credit('seller_debts', money(s.canceled), s.sellerId)]),
  ]);
}

/**
 * A reversal Stripe refused (the seller's balance could not cover it): the seller owes it to the
 * platform, which bore it so far (a refund's loss; a lost dispute's part: `dispute_recoveries`).
 */
export function sellerDebtLines(p: { sellerId: string; amount: Money; against?: 'refund_losses' | 'dispute_recoveries' }): LedgerLineInput[] {
  positive('debt', p.amount.minor);
  return [debit('seller_debts', p.amount, p.sellerId), credit(p.against ?? 'refund_losses', p.amount)];
}

/** A lost dispute's part of a seller's transfer not sent yet, lowered: recovered from their platform-held payable (and, beyond it, owed). */
export function disputeLoweringLines(p: { lowered: Array<{ sellerId: string; amount: Money }>; debts: Array<{ sellerId: string; amount: Money }> }): LedgerLineInput[] {
  return nonZero([
    ...p.lowered.flatMap((l) => [debit('seller_payable_pending', l.amount, l.sellerId), credit('dispute_recoveries', l.amount)]),
    ...p.debts.map((d) => debit('seller_debts', d.amount, d.sellerId)),
    ...p.debts.map((d) => credit('seller_payable_pending', d.amount, d.sellerId)),
  ]);
}

/** A part of a refund (or lost dispute) planned as a reversal, lowered instead from a transfer Stripe never made (refused for good): the seller's platform-held payable gives it back to the platform, which bore it. */
export function unsentTransferLoweringLines(p: { sellerId: string; amount: Money; against: 'refund_losses' | 'dispute_recoveries' }): LedgerLineInput[] {
  positive('lowering', p.amount.minor);
  return [debit('seller_payable_pending', p.amount, p.sellerId), credit(p.against, p.amount)];
}

/** A seller's debt netted from their next transfer before it is made: their platform-held payable pays it. */
export function debtNettingLines(p: { sellerId: string; amount: Money }): LedgerLineInput[] {
  positive('netting', p.amount.minor);
  return [debit('seller_payable_pending', p.amount, p.sellerId), credit('seller_debts', p.amount, p.sellerId)];
}

/**
 * A payout from a seller's connected balance to their bank (the payout's balance transaction), or
 * its return (a failed payout's `payout_failure`, a canceled one's `payout_cancel`): the seller's
 * available payable moves with their balance.
 */
export function sellerPayoutLines(p: { seller: Extract<StripeBalanceRef, { kind: 'connected' }>; payout: Movement }): LedgerLineInput[] {
  const { txn } = p.payout;
  return nonZero([cashLine(p.seller, p.payout), payable(p.seller.sellerId, moneyOf(-txn.net, txn), true, ref(p.seller, p.payout))]);
}

/** The platform's own payout to its bank, or its return (a failure's or cancel's transaction): the cash against `platform_payouts`. */
export function platformPayoutLines(p: { payout: Movement }): LedgerLineInput[] {
  return nonZero([cashLine(PLATFORM_BALANCE, p.payout), debit('platform_payouts', moneyOf(-p.payout.txn.net, p.payout.txn))]);
}

/**
 * Funds of one balance transaction becoming available (its available_on has passed): `cash` moves
 * from the balance's pending to its available account, and `payable` (the seller payable booked
 * pending with that transaction, a credit: negative) moves from pending to available with it.
 */
export function fundsAvailableLines(p: { balance: StripeBalanceRef; cash: Money; payable?: Money; stripe: StripeMovementRef }): LedgerLineInput[] {
  const pair = p.balance.kind === 'platform' ? CASH_ACCOUNTS.platform : CASH_ACCOUNTS.connected;
  const seller = sellerOf(p.balance);
  const payableMove =
    seller && p.payable && !p.payable.isZero() ? [debit('seller_payable_pending', p.payable.negate(), seller, p.stripe), debit('seller_payable_available', p.payable, seller, p.stripe)] : [];
  return nonZero([debit(pair.available, p.cash, seller, p.stripe), credit(pair.pending, p.cash, seller, p.stripe), ...payableMove]);
}
