import { amountGranularity, isStripeCurrency, normalizeCurrency } from '@app/money';
import { MAX_UNIT_AMOUNT } from './listing.entity.js';
import { ListingsErrors } from './listings.errors.js';

/**
 * A unit amount from JSON: an integer number of minor units (a safe integer) or a string of
 * digits; never a decimal ("19.99" is refused: send 1999). Between 1 and MAX_UNIT_AMOUNT.
 */
export function parseUnitAmount(value: unknown): bigint {
  let minor: bigint;
  if (typeof value === 'number' && Number.isSafeInteger(value)) minor = BigInt(value);
  // digits only: " 100" is refused, not trimmed (an amount is never guessed at)
  else if (typeof value === 'string' && /^[0-9]{1,18}$/.test(value)) minor = BigInt(value);
  else if (typeof value === 'string' && /^[0-9]{19,}$/.test(value)) throw ListingsErrors.amountTooLarge(MAX_UNIT_AMOUNT);
  else if (typeof value === 'number' && Number.isInteger(value) && value > 0) throw ListingsErrors.amountTooLarge(MAX_UNIT_AMOUNT);
  else throw ListingsErrors.invalidUnitAmount();
  if (minor < 1n) throw ListingsErrors.invalidUnitAmount();
  if (minor > MAX_UNIT_AMOUNT) throw ListingsErrors.amountTooLarge(MAX_UNIT_AMOUNT);
  return minor;
}

/**
 * A unit amount Stripe can charge in its currency: in three-decimal currencies (KWD) Stripe takes
 * only amounts whose last digit is 0, and every cart total of such units ends in 0 too. A unit
 * below Stripe's minimum charge is accepted: several of them (or other listings) reach it, and the
 * checkout refuses a cart total below it.
 */
export function assertChargeableUnitAmount(unitAmount: bigint, currency: string): void {
  const granularity = amountGranularity(currency);
  if (unitAmount % granularity !== 0n) throw ListingsErrors.amountGranularity(unitAmount, currency, granularity);
}

/** A currency Stripe charges in (any case; stored upper case): checkout could not sell in another. */
export function parseListingCurrency(value: string): string {
  if (!isStripeCurrency(value)) throw ListingsErrors.invalidCurrency(value);
  return normalizeCurrency(value);
}
