import { matchFeeRefunds } from './fee-refund-matching.js';

const at = (s: number) => new Date(1_800_000_000_000 + s * 1000);
const fr = (id: string, second: number, amount: bigint) => ({ id, created: at(second), amount });
const ev = (id: string, second: number, expected: bigint) => ({ id, created: at(second), expected });

describe('matchFeeRefunds: which event each application-fee refund was made with', () => {
  it('pairs by time first: the fee refund made in the same request, never one made well apart', () => {
    const m = matchFeeRefunds([ev('re_1', 100, 400n)], [fr('fr_old', 10, 400n), fr('fr_now', 100, 400n)]);
    expect(m.get('re_1')?.id).toBe('fr_now');
    expect(matchFeeRefunds([ev('re_1', 100, 400n)], [fr('fr_old', 10, 400n)]).size).toBe(0);
  });

  it('between events at the same moment, each gets the fee refund nearest its share; one that made none gets none', () => {
    const m = matchFeeRefunds([ev('re_dashboard', 100, 200n), ev('re_api', 100, 400n)], [fr('fr_a', 100, 200n), fr('fr_b', 100, 400n)]);
    expect(m.get('re_api')?.id).toBe('fr_b');
    expect(m.get('re_dashboard')?.id).toBe('fr_a');
    // a Dashboard refund without refund_application_fee next to a recovery that refunded 500
    const r = matchFeeRefunds([ev('re_dashboard', 100, 200n), ev('trr_recovery', 100, 500n)], [fr('fr_recovery', 100, 500n)]);
    expect(r.get('trr_recovery')?.id).toBe('fr_recovery');
    expect(r.has('re_dashboard')).toBe(false);
  });

  it('a completing refund takes the fee left even when it is far from its proportional share', () => {
    expect(matchFeeRefunds([ev('re_full', 100, 1_000n)], [fr('fr_rest', 100, 600n)]).get('re_full')?.id).toBe('fr_rest');
  });
});
