export type MoneyErrorCode = 'MONEY.CURRENCY_MISMATCH' | 'MONEY.INVALID_CURRENCY' | 'MONEY.INVALID_AMOUNT' | 'MONEY.INVALID_ALLOCATION' | 'MONEY.INVALID_FEE_POLICY';

// Base class so callers (HTTP filter, workers) can map every money failure by its code.
export class MoneyError extends Error {
  constructor(
    readonly code: MoneyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class CurrencyMismatchError extends MoneyError {
  constructor(
    readonly left: string,
    readonly right: string,
  ) {
    super('MONEY.CURRENCY_MISMATCH', `Currency mismatch: ${left} vs ${right}`);
  }
}

export class InvalidCurrencyError extends MoneyError {
  constructor(readonly input: unknown) {
    super('MONEY.INVALID_CURRENCY', `Invalid ISO 4217 currency code: ${JSON.stringify(String(input))}`);
  }
}

export class InvalidAmountError extends MoneyError {
  constructor(message: string) {
    super('MONEY.INVALID_AMOUNT', message);
  }
}

export class InvalidAllocationError extends MoneyError {
  constructor(message: string) {
    super('MONEY.INVALID_ALLOCATION', message);
  }
}

export class InvalidFeePolicyError extends MoneyError {
  constructor(message: string) {
    super('MONEY.INVALID_FEE_POLICY', message);
  }
}
