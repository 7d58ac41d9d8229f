import { proportional } from '@app/money';

// A Stripe application-fee refund names neither the refund nor the transfer reversal it was made
// with. Every such event of a charge not booked yet (its refunds, its dispute recoveries) is paired
// with the fee refunds not booked yet: nearest in time first (Stripe makes them in the same
// request), then nearest to the event's share of the fee (`expected`: only to choose; the amount
// booked is Stripe's), each at most once. An event that gets none made none (a share of 0, a
// Dashboard refund without refund_application_fee).

/** Stripe makes an event's fee refund in the same request: the same second, give or take. */
const SAME_REQUEST_MS = 5_000;

export interface FeeRefundEvent {
  id: string;
  created: Date;
  /** The event's share of the application fee, had Stripe refunded one. */
  expected: bigint;
  /** Whether it asked Stripe to refund the fee: true (ours, asked), false (ours, did not: never a candidate), null (unknown: the Dashboard). */
  asked?: boolean | null;
}

export function matchFeeRefunds<T extends { id: string; created: Date; amount: bigint }>(events: readonly FeeRefundEvent[], feeRefunds: readonly T[]): Map<string, T> {
  const abs = (x: bigint) => (x < 0n ? -x : x);
  // at an equal gap, an event known to have asked for a fee refund goes before one that may not have
  const rank = (e: FeeRefundEvent) => (e.asked === true ? 0 : 1);
  const pairs = events
    .filter((e) => e.asked !== false)
    .flatMap((e) => feeRefunds.map((f) => ({ e, f, gap: Math.abs(f.created.getTime() - e.created.getTime()), off: abs(f.amount - e.expected) })))
    .filter((p) => p.gap <= SAME_REQUEST_MS)
    .sort((a, b) => a.gap - b.gap || rank(a.e) - rank(b.e) || (a.off < b.off ? -1 : a.off > b.off ? 1 : 0) || a.e.id.localeCompare(b.e.id) || a.f.id.localeCompare(b.f.id));
  const matched = new Map<string, T>();
  const taken = new Set<string>();
  for (const p of pairs) {
    if (matched.has(p.e.id) || taken.has(p.f.id)) continue;
    matched.set(p.e.id, p.f);
    taken.add(p.f.id);
  }
  return matched;
}

/** part * fee / whole rounded half up, as Stripe rounds a proportional fee refund (only to choose between fee refunds). */
export function expectedShare(fee: bigint, part: bigint, whole: bigint): bigint {
  return whole > 0n ? proportional(fee, part, whole) : 0n;
}
