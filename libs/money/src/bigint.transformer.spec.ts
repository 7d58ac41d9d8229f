import fc from 'fast-check';
import { bigintTransformer, moneyAmountColumn } from './bigint.transformer.js';
import { InvalidAmountError } from './money.errors.js';

describe('bigintTransformer', () => {
  it('writes bigint as its decimal string', () => {
    expect(bigintTransformer.to(9_223_372_036_854_775_807n)).toBe('9223372036854775807');
    expect(bigintTransformer.to(-42n)).toBe('-42');
    expect(bigintTransformer.to(0n)).toBe('0');
  });

  it('reads the driver string back as bigint, exactly above 2^53', () => {
    expect(bigintTransformer.from('9007199254740993')).toBe(9_007_199_254_740_993n);
    expect(bigintTransformer.from('-9223372036854775808')).toBe(-9_223_372_036_854_775_808n);
  });

  it('passes null and undefined through both ways', () => {
    expect(bigintTransformer.to(null)).toBeNull();
    expect(bigintTransformer.from(null)).toBeNull();
    expect(bigintTransformer.to(undefined)).toBeUndefined();
    expect(bigintTransformer.from(undefined)).toBeUndefined();
  });

  it('accepts exact small integers some drivers return as numbers, and nothing inexact', () => {
    expect(bigintTransformer.from(42)).toBe(42n);
    expect(() => bigintTransformer.from(1.5)).toThrow(InvalidAmountError);
    expect(() => bigintTransformer.from(2 ** 60)).toThrow(InvalidAmountError);
    expect(() => bigintTransformer.from('12.5')).toThrow(InvalidAmountError);
    expect(() => bigintTransformer.from('abc')).toThrow(InvalidAmountError);
  });

  it('refuses to write a number, which may already have lost precision', () => {
    expect(() => bigintTransformer.to(12)).toThrow(InvalidAmountError);
    expect(() => bigintTransformer.to('1.5')).toThrow(InvalidAmountError);
  });

  it('round-trips any int8 value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
        expect(bigintTransformer.from(bigintTransformer.to(value))).toBe(value);
      }),
    );
  });
});

describe('moneyAmountColumn', () => {
  it('declares a bigint column with the transformer, letting callers add options', () => {
    const options = moneyAmountColumn({ name: 'amount_minor', nullable: true });
    expect(options).toEqual({ type: 'bigint', transformer: bigintTransformer, name: 'amount_minor', nullable: true });
  });
});
