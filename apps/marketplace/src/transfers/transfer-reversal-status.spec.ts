import { TRANSFER_REVERSAL_STATUSES } from './transfer-reversal.entity.js';
import { canMoveTransferReversal } from './transfer-reversal-status.js';

describe('TRANSFER_REVERSAL_TRANSITIONS', () => {
  it('a settled row (succeeded, debt) never moves again; a canceled one only to succeeded (Stripe made it after all)', () => {
    for (const from of ['succeeded', 'debt'] as const) for (const to of TRANSFER_REVERSAL_STATUSES) expect(canMoveTransferReversal(from, to)).toBe(false);
    for (const to of TRANSFER_REVERSAL_STATUSES) expect(canMoveTransferReversal('canceled', to)).toBe(to === 'succeeded');
  });

  it('a failed row only goes back to pending (an admin retry) or canceled (an admin cancel)', () => {
    for (const to of TRANSFER_REVERSAL_STATUSES) expect(canMoveTransferReversal('failed', to)).toBe(to === 'pending' || to === 'canceled');
  });

  it('a planned row is due, applied or canceled, never sent before the refund settles', () => {
    expect(canMoveTransferReversal('planned', 'pending')).toBe(true);
    expect(canMoveTransferReversal('planned', 'canceled')).toBe(true);
    expect(canMoveTransferReversal('planned', 'submitting')).toBe(false);
  });

  it('a due row is canceled only when its refund failed at Stripe after it succeeded and the reversal was never made', () => {
    // RefundReversalsPlanner.cancelUnsentForFailedRefund (never sent) and the reversal worker's look-up (not found)
    expect(canMoveTransferReversal('pending', 'canceled')).toBe(true);
    expect(canMoveTransferReversal('submitting', 'canceled')).toBe(true);
  });
});
