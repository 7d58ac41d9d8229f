import { allowedFrom, canTransition, ORDER_STATUSES, ORDER_TRANSITIONS, statusAfterRefunds, type OrderStatus } from './order-status.js';

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
