import { feeRefundMadeWith } from './refund-settlement.service.js';

const at = (s: number) => new Date(1_800_000_000_000 + s * 1000);
const fr = (id: string, second: number, amount: bigint) => ({ id, created: at(second), amount });

describe('feeRefundMadeWith: the fee refund Stripe made with a refund', () => {
  it('takes the one made in the same request, never one made well apart', () => {
    expect(feeRefundMadeWith(at(100), 400n, [fr('a', 10, 400n), fr('b', 100, 400n)]).map((f) => f.id)).toEqual(['b']);
    expect(feeRefundMadeWith(at(100), 400n, [fr('a', 10, 400n)])).toEqual([]);
    expect(feeRefundMadeWith(at(100), 0n, [])).toEqual([]);
  });

  it('between two made at the same moment, the one nearest the refund share of the fee', () => {
    const both = [fr('dashboard', 100, 200n), fr('api', 100, 400n)];
    expect(feeRefundMadeWith(at(100), 400n, both).map((f) => f.id)).toEqual(['api']);
    expect(feeRefundMadeWith(at(100), 200n, both).map((f) => f.id)).toEqual(['dashboard']);
  });
});
