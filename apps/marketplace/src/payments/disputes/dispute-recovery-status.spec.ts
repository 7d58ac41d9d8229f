import fc from 'fast-check';
import { canMoveRecovery, DISPUTE_RECOVERY_TRANSITIONS } from './dispute-recovery-status.js';
import { RECOVERY_STATUSES, type RecoveryStatus } from './dispute.entity.js';

describe('dispute recovery transitions', () => {
  it('allows exactly the listed moves', () => {
    const allowed = RECOVERY_STATUSES.flatMap((from) => RECOVERY_STATUSES.filter((to) => canMoveRecovery(from, to)).map((to) => `${from}->${to}`));
    expect(allowed.sort()).toEqual(
      [
        'none->pending',
        'pending->none',
        'pending->pending',
        'pending->recovered',
        'pending->returning',
        'pending->failed',
        'recovered->returning',
        'returning->returning',
        'returning->returned',
        'returning->failed',
      ].sort(),
    );
  });

  it('ends in returned or failed, and never recovers twice', () => {
    for (const from of ['returned', 'failed'] as const) for (const to of RECOVERY_STATUSES) expect(canMoveRecovery(from, to)).toBe(false);
    expect(canMoveRecovery('recovered', 'pending')).toBe(false);
    expect(canMoveRecovery('recovered', 'recovered')).toBe(false);
    expect(canMoveRecovery('none', 'recovered')).toBe(false);
    expect(canMoveRecovery('returning', 'recovered')).toBe(false);
  });

  it('reaches a status only from the ones listed for it', () => {
    expect(Object.keys(DISPUTE_RECOVERY_TRANSITIONS).sort()).toEqual([...RECOVERY_STATUSES].sort());
    fc.assert(
      fc.property(fc.constantFrom(...RECOVERY_STATUSES), fc.constantFrom(...RECOVERY_STATUSES), (from: RecoveryStatus, to: RecoveryStatus) => {
        expect(canMoveRecovery(from, to)).toBe(DISPUTE_RECOVERY_TRANSITIONS[to].includes(from));
      }),
    );
  });
});
