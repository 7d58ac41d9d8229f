import { allowedFrom, canTransition, ORDER_STATUSES, ORDER_TRANSITIONS, REFUND_FAILED_MOVES, statusAfterRefunds, type OrderStatus } from './order-status.js';

describe('order status transitions', () => {
  it('follows created -> awaiting_payment -> paid -> partially_refunded -> refunded', () => {
    const path: OrderStatus[] = ['created', 'awaiting_payment', 'paid', 'partially_refunded', 'partially_refunded', 'refunded'];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
  });

  it('ends unpaid orders in failed or expired, which never go back to awaiting payment', () => {
    expect(canTransition('awaiting_payment', 'failed')).toBe(true);
    expect(canTransition('awaiting_payment', 'expired')).toBe(true);
    expect(canTransition('created', 'failed')).toBe(true);
    for (const from of ['failed', 'expired'] as const) expect(canTransition(from, 'awaiting_payment')).toBe(false);
    expect(canTransition('expired', 'paid')).toBe(false);
    expect(canTransition('failed', 'expired')).toBe(false);
  });

  it('never un-pays: a paid order cannot fail, expire or wait for payment again', () => {
    for (const from of ['paid', 'partially_refunded', 'refunded', 'disputed'] as const)
      for (const to of ['created', 'awaiting_payment', 'failed', 'expired'] as const) expect(canTransition(from, to)).toBe(false);
  });

  it('disputes open from any paid state and close back into one', () => {
    for (const from of ['paid', 'partially_refunded', 'refunded'] as const) expect(canTransition(from, 'disputed')).toBe(true);
    for (const to of ['paid', 'partially_refunded', 'refunded'] as const) expect(canTransition('disputed', to)).toBe(true);
  });

  it('a refund that failed after it succeeded moves the order back: refunded -> partially_refunded / paid, partially_refunded -> paid', () => {
    expect(REFUND_FAILED_MOVES).toEqual([
      ['refunded', 'partially_refunded'],
      ['refunded', 'paid'],
      ['partially_refunded', 'paid'],
    ]);
    for (const [from, to] of REFUND_FAILED_MOVES) expect(canTransition(from, to)).toBe(true);
    // the status after the failure is the one the remaining refunds give; every such move is allowed
    const total = 10_000n;
    for (const [before, failed] of [
      [10_000n, 10_000n],
      [10_000n, 4_000n],
      [4_000n, 4_000n],
      [6_000n, 2_000n],
    ] as const) {
      const from = statusAfterRefunds(total, before);
      const to = statusAfterRefunds(total, before - failed);
      expect(canTransition(from, to)).toBe(true);
    }
    expect(statusAfterRefunds(total, 10_000n - 4_000n)).toBe('partially_refunded');
    // back to paid, never further: a paid order still does not un-pay
    for (const from of ['refunded', 'partially_refunded'] as const) for (const to of ['awaiting_payment', 'failed', 'expired'] as const) expect(canTransition(from, to)).toBe(false);
  });

  it('nothing enters created; the table covers every status', () => {
    expect(allowedFrom('created')).toEqual([]);
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual([...ORDER_STATUSES].sort());
    for (const froms of Object.values(ORDER_TRANSITIONS)) for (const f of froms) expect(ORDER_STATUSES).toContain(f);
  });

  it('derives the refund status from amounts', () => {
    expect(statusAfterRefunds(1000n, 0n)).toBe('paid');
    expect(statusAfterRefunds(1000n, 1n)).toBe('partially_refunded');
    expect(statusAfterRefunds(1000n, 1000n)).toBe('refunded');
  });
});
