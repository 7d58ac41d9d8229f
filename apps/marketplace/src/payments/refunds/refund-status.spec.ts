import fc from 'fast-check';
import { canMoveFailureReturn, canMoveRefund, canMoveReturnReversal, FAILURE_RETURN_TRANSITIONS, REFUND_TRANSITIONS, RETURN_REVERSAL_TRANSITIONS } from './refund-status.js';
import { FAILURE_RETURN_STATUSES, REFUND_STATUSES, RETURN_REVERSAL_STATUSES } from './refund.entity.js';

describe('refund status transitions', () => {
  it('allows exactly pending -> succeeded | failed and succeeded -> failed', () => {
    const allowed = REFUND_STATUSES.flatMap((from) => REFUND_STATUSES.filter((to) => canMoveRefund(from, to)).map((to) => `${from}->${to}`));
    expect(allowed.sort()).toEqual(['pending->failed', 'pending->succeeded', 'succeeded->failed']);
  });

  it('never goes back to pending, and a failed refund stays failed', () => {
    for (const from of REFUND_STATUSES) expect(canMoveRefund(from, 'pending')).toBe(false);
    for (const to of REFUND_STATUSES) expect(canMoveRefund('failed', to)).toBe(false);
    expect(canMoveRefund('succeeded', 'succeeded')).toBe(false);
  });
});

describe('failure return transitions', () => {
  it('starts pending, retries while pending, ends returned or failed', () => {
    expect(canMoveFailureReturn(null, 'pending')).toBe(true);
    expect(canMoveFailureReturn('pending', 'pending')).toBe(true);
    expect(canMoveFailureReturn('pending', 'returned')).toBe(true);
    expect(canMoveFailureReturn('pending', 'failed')).toBe(true);
  });

  it('refuses to skip pending or leave an end state', () => {
    expect(canMoveFailureReturn(null, 'returned')).toBe(false);
    expect(canMoveFailureReturn(null, 'failed')).toBe(false);
    for (const from of ['returned', 'failed'] as const) for (const to of FAILURE_RETURN_STATUSES) expect(canMoveFailureReturn(from, to)).toBe(false);
  });
});

describe('return reversal transitions', () => {
  it('starts pending, retries while pending, ends reversed, none or failed', () => {
    expect(canMoveReturnReversal(null, 'pending')).toBe(true);
    for (const to of RETURN_REVERSAL_STATUSES) expect(canMoveReturnReversal('pending', to)).toBe(true);
  });

  it('refuses to skip pending or leave an end state', () => {
    for (const to of ['reversed', 'none', 'failed'] as const) expect(canMoveReturnReversal(null, to)).toBe(false);
    for (const from of ['reversed', 'none', 'failed'] as const) for (const to of RETURN_REVERSAL_STATUSES) expect(canMoveReturnReversal(from, to)).toBe(false);
  });
});

describe('every lifecycle', () => {
  it('lists only known statuses, and reaches a status only from the ones listed for it', () => {
    type Table = Record<string, ReadonlyArray<string | null>>;
    const cases: Array<{ table: Table; statuses: Array<string | null>; can: (f: never, t: never) => boolean }> = [
      { table: REFUND_TRANSITIONS, statuses: [...REFUND_STATUSES], can: canMoveRefund as (f: never, t: never) => boolean },
      { table: FAILURE_RETURN_TRANSITIONS, statuses: [null, ...FAILURE_RETURN_STATUSES], can: canMoveFailureReturn as (f: never, t: never) => boolean },
      { table: RETURN_REVERSAL_TRANSITIONS, statuses: [null, ...RETURN_REVERSAL_STATUSES], can: canMoveReturnReversal as (f: never, t: never) => boolean },
    ];
    for (const { table, statuses, can } of cases) {
      expect(Object.keys(table).sort()).toEqual(statuses.filter((s) => s !== null).sort());
      for (const from of Object.values(table).flat()) expect(statuses).toContain(from);
      fc.assert(
        fc.property(fc.constantFrom(...statuses), fc.constantFrom(...statuses.filter((s) => s !== null)), (from, to) => {
          expect(can(from as never, to as never)).toBe(table[to!]!.includes(from));
        }),
      );
    }
  });
});
