import type { ColumnOptions, ValueTransformer } from 'typeorm';
import { InvalidAmountError } from './money.errors.js';

const INTEGER_STRING = /^-?[0-9]+$/;

// node-postgres returns int8 as a string (a JS number would lose precision above 2^53), so
// bigint columns go through this transformer: bigint in the entity, decimal string on the wire.
// TypeORM applies it to FindOperator values (In, MoreThan, ...) itself.
export const bigintTransformer: ValueTransformer = {
  to(value: bigint | string | null | undefined): string | null | undefined {
    if (value === null || value === undefined) return value;
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'string' && INTEGER_STRING.test(value)) return value;
    throw new InvalidAmountError(`bigint column expects a bigint, got ${typeof value}`);
  },
  from(value: string | bigint | number | null | undefined): bigint | null | undefined {
    if (value === null || value === undefined) return value;
    if (typeof value === 'bigint') return value;
    if (typeof value === 'string' && INTEGER_STRING.test(value)) return BigInt(value);
    // Some drivers hand back small integers as numbers; only an exact one is acceptable.
    if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
    throw new InvalidAmountError(`bigint column returned a non-integer value: ${String(value)}`);
  },
};

// Column options for an amount in minor units: `@Column(moneyAmountColumn())`.
export function moneyAmountColumn(options: ColumnOptions = {}): ColumnOptions {
  return { type: 'bigint', transformer: bigintTransformer, ...options };
}
