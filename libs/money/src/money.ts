import { currencyExponent, normalizeCurrency } from './currency.js';
import { minorToDecimalText } from './decimal-text.js';
import { CurrencyMismatchError, InvalidAmountError } from './money.errors.js';

export interface MoneyJson {
  amount: string;
  currency: string;
}

const INTEGER_STRING = /^-?[0-9]+$/;

// An amount in integer minor units (cents, yen, fils) of one ISO 4217 currency. Immutable:
// every operation returns a new instance.
export class Money {
  private constructor(
    readonly minor: bigint,
    readonly currency: string,
  ) {
    Object.freeze(this);
  }

  static of(minor: bigint, currency: string): Money {
    // Guards plain-JS callers and untyped JSON: a number here would already have lost precision.
    if (typeof minor !== 'bigint') {
      throw new InvalidAmountError(`Minor units must be a bigint, got ${typeof minor}`);
    }
    return new Money(minor, normalizeCurrency(currency));
  }

  static zero(currency: string): Money {
    return Money.of(0n, currency);
  }

  static fromJSON(json: MoneyJson): Money {
    if (typeof json?.amount !== 'string' || !INTEGER_STRING.test(json.amount)) {
      throw new InvalidAmountError(`Money JSON amount must be an integer string of minor units`);
    }
    return Money.of(BigInt(json.amount), json.currency);
  }

  add(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.minor + other.minor, this.currency);
  }

  subtract(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.minor - other.minor, this.currency);
  }

  negate(): Money {
    return new Money(-this.minor, this.currency);
  }

  abs(): Money {
    return this.minor < 0n ? this.negate() : this;
  }

  multiply(quantity: bigint): Money {
    if (typeof quantity !== 'bigint') {
      throw new InvalidAmountError(`Quantity must be a bigint, got ${typeof quantity}`);
    }
    return new Money(this.minor * quantity, this.currency);
  }

  isZero(): boolean {
    return this.minor === 0n;
  }

  isNegative(): boolean {
    return this.minor < 0n;
  }

  isPositive(): boolean {
    return this.minor > 0n;
  }

  isSameCurrency(other: Money): boolean {
    return this.currency === other.currency;
  }

  compare(other: Money): -1 | 0 | 1 {
    this.assertSameCurrency(other);
    if (this.minor < other.minor) return -1;
    if (this.minor > other.minor) return 1;
    return 0;
  }

  // Equality is a question, not an operation, so a different currency is simply "not equal".
  equals(other: Money): boolean {
    return this.currency === other.currency && this.minor === other.minor;
  }

  lessThan(other: Money): boolean {
    return this.compare(other) < 0;
  }

  lessThanOrEqual(other: Money): boolean {
    return this.compare(other) <= 0;
  }

  greaterThan(other: Money): boolean {
    return this.compare(other) > 0;
  }

  greaterThanOrEqual(other: Money): boolean {
    return this.compare(other) >= 0;
  }

  min(other: Money): Money {
    return this.compare(other) <= 0 ? this : other;
  }

  max(other: Money): Money {
    return this.compare(other) >= 0 ? this : other;
  }

  // The amount is a string so a bigint survives JSON.stringify and clients that parse to double.
  toJSON(): MoneyJson {
    return { amount: this.minor.toString(), currency: this.currency };
  }

  // Same text as formatMoney, e.g. 'USD 12.34', so logs and template strings read naturally.
  toString(): string {
    return `${this.currency} ${minorToDecimalText(this.minor, currencyExponent(this.currency))}`;
  }

  assertSameCurrency(other: Money): void {
    if (this.currency !== other.currency) {
      throw new CurrencyMismatchError(this.currency, other.currency);
    }
  }
}
