import { proportional } from '@app/money';
import type { EntityManager } from 'typeorm';

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

/** One fee-refunding event of a charge: a refund, or a transfer reversal made on its own (a dispute recovery). */
export interface ChargeEvent {
  id: string;
  created: Date;
  amount: bigint;
  metadata?: Record<string, string>;
}

/**
 * The fee refund (among `candidates`, not booked yet) Stripe made with `self`: every event of the
 * order's charge not booked yet competes for them (booked: settled refunds, recorded recoveries);
 * our own refunds say whether they asked for one. Reads those facts in the caller's transaction.
 */
export async function feeRefundMadeWith<T extends { id: string; created: Date; amount: bigint }>(
  tx: EntityManager,
  p: {
    orderId: string;
    fee: bigint;
    orderTotal: bigint;
    transferAmount: bigint | null;
    self: ChargeEvent & { kind: 'refund' | 'reversal' };
    refunds: ChargeEvent[];
    reversals: ChargeEvent[];
    candidates: T[];
  },
): Promise<T | null> {
  if (p.candidates.length === 0) return null;
  const booked: Array<{ id: string }> = await tx.query(
    `SELECT stripe_refund_id AS id FROM refunds WHERE order_id = $1 AND stripe_refund_id IS NOT NULL AND status <> 'pending'
      UNION SELECT recovery_reversal_id FROM disputes WHERE order_id = $1 AND recovery_reversal_id IS NOT NULL`,
    [p.orderId],
  );
  const bookedIds = new Set(booked.map((r) => r.id));
  // our own refunds say whether they asked Stripe to refund the fee; the Dashboard's do not
  const ours: Array<{ stripe_refund_id: string | null; id: string; asked: boolean | null }> = await tx.query(
    `SELECT stripe_refund_id, id, stripe_refund_application_fee AS asked FROM refunds WHERE order_id = $1 AND source = 'api'`,
    [p.orderId],
  );
  const askedOf = (r: ChargeEvent): boolean | null => ours.find((o) => o.stripe_refund_id === r.id || o.id === r.metadata?.refund_id)?.asked ?? null;
  const ofRefund = (r: ChargeEvent): FeeRefundEvent => ({ id: r.id, created: r.created, expected: expectedShare(p.fee, r.amount, p.orderTotal), asked: askedOf(r) });
  const ofReversal = (r: ChargeEvent): FeeRefundEvent => ({ id: r.id, created: r.created, expected: expectedShare(p.fee, r.amount, p.transferAmount ?? p.orderTotal) });
  const others = (list: ChargeEvent[]) => list.filter((e) => e.id !== p.self.id && !bookedIds.has(e.id));
  const events = [p.self.kind === 'refund' ? ofRefund(p.self) : ofReversal(p.self), ...others(p.refunds).map(ofRefund), ...others(p.reversals).map(ofReversal)];
  return matchFeeRefunds(events, p.candidates).get(p.self.id) ?? null;
}
