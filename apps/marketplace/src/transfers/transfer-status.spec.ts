import { canMoveTransfer, TRANSFER_STATUSES, TRANSFER_TRANSITIONS } from './transfer-status.js';

describe('TRANSFER_TRANSITIONS', () => {
  it('lists every status, and only known ones as from-statuses', () => {
    expect(Object.keys(TRANSFER_TRANSITIONS).sort()).toEqual([...TRANSFER_STATUSES].sort());
    for (const from of Object.values(TRANSFER_TRANSITIONS).flat()) expect(TRANSFER_STATUSES).toContain(from);
  });

  it('a Stripe call is only made from submitting; a settled row never moves again', () => {
    expect(canMoveTransfer('pending', 'submitting')).toBe(true);
    expect(canMoveTransfer('submitting', 'succeeded')).toBe(true);
    expect(canMoveTransfer('submitting', 'failed')).toBe(true);
    for (const to of TRANSFER_STATUSES) {
      expect(canMoveTransfer('succeeded', to)).toBe(false);
      if (to !== 'pending' && to !== 'succeeded') expect(canMoveTransfer('canceled', to)).toBe(false);
    }
  });

  it('a canceled transfer Stripe made after all (a call that outlived its lease) is recorded made', () => {
    expect(canMoveTransfer('canceled', 'succeeded')).toBe(true);
    expect(canMoveTransfer('failed', 'succeeded')).toBe(false);
  });

  it('a transfer a refund lowered to 0 and canceled goes back to pending when Stripe refuses the refund', () => {
    expect(canMoveTransfer('pending', 'canceled')).toBe(true);
    expect(canMoveTransfer('canceled', 'pending')).toBe(true);
    expect(canMoveTransfer('canceled', 'submitting')).toBe(false);
  });

  it('a failed row goes back to pending (admin retry) or is canceled, never straight to submitting', () => {
    expect(canMoveTransfer('failed', 'pending')).toBe(true);
    expect(canMoveTransfer('failed', 'canceled')).toBe(true);
    expect(canMoveTransfer('failed', 'submitting')).toBe(false);
  });

  it('a row that may have been sent is canceled only by an admin, after a look-up at Stripe found nothing (TransfersService.cancel)', () => {
    expect(canMoveTransfer('submitting', 'canceled')).toBe(true);
    expect(canMoveTransfer('succeeded', 'canceled')).toBe(false);
  });
});
