import fc from 'fast-check';
import { convert, invert, parseRate, rateNumber, rateText } from './fx.js';

describe('fx', () => {
  it('parses decimal strings into exact rationals', () => {
    expect(parseRate('1.08')).toEqual({ num: 108n, den: 100n });
    expect(parseRate('2')).toEqual({ num: 2n, den: 1n });
    expect(rateNumber(parseRate('0.9215'))).toBe(0.9215);
    expect(rateText(parseRate('1.0800'))).toBe('1.08');
    expect(rateText(invert(parseRate('1.25')))).toBe('0.8');
    for (const bad of ['', '-1', '1,08', '1e3', '0', 'abc', '.5']) expect(() => parseRate(bad)).toThrow();
  });

  it('converts minor units with integer arithmetic, half away from zero', () => {
    expect(convert(10_000, parseRate('1.08'), 'eur', 'usd')).toBe(10_800);
    expect(convert(3333, parseRate('1.08'), 'eur', 'usd')).toBe(3600); // 3599.64
    expect(convert(-3333, parseRate('1.08'), 'eur', 'usd')).toBe(-3600);
    expect(convert(1, parseRate('1.5'), 'eur', 'usd')).toBe(2); // 1.5 -> 2
    expect(convert(0, parseRate('1.08'), 'eur', 'usd')).toBe(0);
    // zero-decimal currencies: 100.00 USD at 150 JPY per USD is 15 000 JPY, and back
    expect(convert(10_000, parseRate('150'), 'usd', 'jpy')).toBe(15_000);
    expect(convert(15_000, invert(parseRate('150')), 'jpy', 'usd')).toBe(10_000);
    // three-decimal currencies: 10.000 KWD at 3.25 USD per KWD is 32.50 USD, and back
    expect(convert(10_000, parseRate('3.25'), 'kwd', 'usd')).toBe(3_250);
    expect(convert(3_250, invert(parseRate('3.25')), 'usd', 'kwd')).toBe(10_000);
    // 0.1 + 0.2 style float traps do not apply
    expect(convert(3, parseRate('0.1'), 'usd', 'eur')).toBe(0);
    expect(convert(5, parseRate('0.1'), 'usd', 'eur')).toBe(1);
  });

  it('is exact for large amounts (no float rounding)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000_000 }), fc.integer({ min: 1, max: 99_999 }), (amount, bp) => {
        const rate = parseRate(`${Math.floor(bp / 10_000)}.${String(bp % 10_000).padStart(4, '0')}`);
        const got = BigInt(convert(amount, rate, 'eur', 'usd'));
        // got = round(amount * num / den): |got * den - amount * num| <= den / 2
        const diff = got * rate.den - BigInt(amount) * rate.num;
        expect((diff < 0n ? -diff : diff) * 2n <= rate.den).toBe(true);
      }),
    );
  });
});
