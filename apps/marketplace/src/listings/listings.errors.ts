import { DomainError } from '../common/domain-error.js';

export const ListingsErrors = {
  invalidUnitAmount: () => new DomainError('LISTINGS.INVALID_UNIT_AMOUNT', 'unitAmount must be a whole number of minor units (e.g. 1999 for USD 19.99), at least 1', 'invalid'),
  amountTooLarge: (max: bigint) => new DomainError('LISTINGS.AMOUNT_TOO_LARGE', `unitAmount must be at most ${max} minor units (Stripe's maximum charge)`, 'invalid'),
  amountGranularity: (unitAmount: bigint, currency: string, granularity: bigint) =>
    new DomainError(
      'LISTINGS.AMOUNT_GRANULARITY',
      `unitAmount must be a multiple of ${granularity} minor units in ${currency} (Stripe takes only amounts whose last digit is 0 in three-decimal currencies), got ${unitAmount}`,
      'invalid',
      { currency, granularity: granularity.toString(), unitAmount: unitAmount.toString() },
    ),
  invalidCurrency: (value: string) => new DomainError('LISTINGS.INVALID_CURRENCY', `"${value}" is not an ISO 4217 currency code that Stripe supports`, 'invalid'),
  notAvailable: (listingIds: string[]) => new DomainError('LISTINGS.NOT_AVAILABLE', `Listing(s) not found or no longer active: ${listingIds.join(', ')}`, 'unprocessable', { listingIds }),
};
