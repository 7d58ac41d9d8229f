import { Money } from '@app/money';
import { randomUUID } from 'node:crypto';
import { paidDestinationChargeLines, refundLines, sellerPayoutLines, type BookedTransaction, type LedgerLineInput, type Movement } from '../../apps/marketplace/src/ledger/index.js';

// Balance transactions shaped like Stripe's, for booking recipes in tests without a sandbox.

const DAY_MS = 86_400_000;

export function txn(net: bigint, currency: string, o: { fee?: bigint; status?: 'pending' | 'available'; availableOn?: Date } = {}): BookedTransaction {
  const fee = o.fee ?? 0n;
  const status = o.status ?? 'pending';
  return {
    id: `txn_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    amount: net + fee,
    fee,
    net,
    currency,
    status,
    availableOn: o.availableOn ?? (status === 'available' ? new Date(Date.now() - 1000) : new Date(Date.now() + 2 * DAY_MS)),
  };
}

export function movement(prefix: string, t: BookedTransaction): Movement {
  return { objectId: `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 24)}`, txn: t };
}

export const accountOf = (sellerId: string) => `acct_${sellerId.replace(/-/g, '').slice(0, 16)}`;

/** A destination charge of `gross` with application fee `applicationFee` and Stripe's fee, as Stripe's balance transactions book it. */
export function destinationChargeLines(p: { gross: Money; applicationFee: Money; sellerId: string; stripeFee?: Money; status?: 'pending' | 'available' }): LedgerLineInput[] {
  const c = p.gross.currency;
  const stripeFee = p.stripeFee?.minor ?? 0n;
  const status = p.status ?? 'pending';
  return paidDestinationChargeLines({
    seller: { kind: 'connected', sellerId: p.sellerId, account: accountOf(p.sellerId) },
    charge: movement('ch', txn(p.gross.minor - stripeFee, c, { fee: stripeFee, status })),
    transfer: movement('tr', txn(-p.gross.minor, c, { status })),
    applicationFee: p.applicationFee.isZero() ? null : movement('fee', txn(p.applicationFee.minor, c, { status })),
    payment: movement('py', txn(p.gross.minor - p.applicationFee.minor, c, { fee: p.applicationFee.minor, status })),
  });
}

/** A refund of `refund` reversing `reversed` from the seller with fee refund `feeRefund`, all available at once as Stripe makes them. */
export function destinationRefundLines(p: { refund: Money; reversed: Money; feeRefund: Money; sellerId: string }): LedgerLineInput[] {
  const c = p.refund.currency;
  const available = { status: 'available' as const };
  return refundLines({
    seller: { kind: 'connected', sellerId: p.sellerId, account: accountOf(p.sellerId) },
    refund: movement('re', txn(-p.refund.minor, c, available)),
    reversal: p.reversed.isZero() ? null : { platform: movement('trr', txn(p.reversed.minor, c, available)), connected: movement('pyr', txn(-p.reversed.minor, c, available)) },
    feeRefunds: p.feeRefund.isZero() ? [] : [movement('fr', txn(-p.feeRefund.minor, c, available))],
  });
}

export function payoutLines(p: { amount: Money; sellerId: string }): LedgerLineInput[] {
  return sellerPayoutLines({
    seller: { kind: 'connected', sellerId: p.sellerId, account: accountOf(p.sellerId) },
    payout: movement('po', txn(-p.amount.minor, p.amount.currency, { status: 'available' })),
  });
}
