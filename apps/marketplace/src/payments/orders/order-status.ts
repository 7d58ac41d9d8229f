import { DomainError } from '../../common/domain-error.js';

export const ORDER_STATUSES = ['created', 'awaiting_payment', 'paid', 'partially_refunded', 'refunded', 'disputed', 'failed', 'expired'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * Every allowed status change of an order: `to` <- the statuses it may come from. The one table
 * both the code (guarded UPDATE ... WHERE status IN from) and the tests read.
 *  - failed -> paid: Stripe says the money moved (the buyer retried after a decline, or a session
 *    whose creation answer was lost was paid anyway); the webhook is the source of truth.
 *  - partially_refunded -> partially_refunded: a second partial refund.
 *  - disputed -> paid / partially_refunded / refunded: the dispute was won (or closed otherwise).
 *  - refund failed: refunded -> partially_refunded / paid, partially_refunded -> paid. A refund Stripe
 *    had made failed later (e.g. the card was closed; the money came back to the platform): the
 *    order goes back by that refund's amount (see REFUND_FAILED_MOVES).
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  created: [],
  awaiting_payment: ['created'],
  paid: ['awaiting_payment', 'failed', 'disputed', /* refund failed: */ 'partially_refunded', 'refunded'],
  partially_refunded: ['paid', 'partially_refunded', 'disputed', /* refund failed: */ 'refunded'],
  refunded: ['paid', 'partially_refunded', 'disputed'],
  disputed: ['paid', 'partially_refunded', 'refunded'],
  failed: ['created', 'awaiting_payment'],
  expired: ['awaiting_payment'],
};

/** The "refund failed" moves ([from, to]) in ORDER_TRANSITIONS: back by a refund that failed after it succeeded. */
export const REFUND_FAILED_MOVES: ReadonlyArray<readonly [OrderStatus, OrderStatus]> = [
  ['refunded', 'partially_refunded'],
  ['refunded', 'paid'],
  ['partially_refunded', 'paid'],
];

/** Statuses in which the charge succeeded (the money moved at least once). */
export const PAID_STATUSES: readonly OrderStatus[] = ['paid', 'partially_refunded', 'refunded', 'disputed'];

export function allowedFrom(to: OrderStatus): readonly OrderStatus[] {
  return ORDER_TRANSITIONS[to];
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[to].includes(from);
}

/** The status after refunds totalling `refunded` of `total`. */
export function statusAfterRefunds(total: bigint, refunded: bigint): OrderStatus {
  if (refunded <= 0n) return 'paid';
  return refunded >= total ? 'refunded' : 'partially_refunded';
}

export class OrderTransitionError extends DomainError {
  constructor(orderId: string, from: OrderStatus | null, to: OrderStatus) {
    super('ORDERS.INVALID_TRANSITION', `Order ${orderId} cannot go from ${from ?? 'unknown'} to ${to}`, 'conflict', { orderId, from, to });
  }
}
