import { DomainError } from '../common/domain-error.js';

/** Why a payout request is refused (nothing is written), in the domain's words. */
export const PayoutRequestsErrors = {
  noConnectedAccount: (sellerId: string) =>
    new DomainError('PAYOUTS.NO_CONNECTED_ACCOUNT', `Seller ${sellerId} has no connected account to pay out from: finish onboarding first`, 'unprocessable', { sellerId }),
  nothingAvailable: (currency: string | null, pending: string | null) =>
    new DomainError(
      'PAYOUTS.NOTHING_AVAILABLE',
      `Nothing is available to pay out${currency ? ` in ${currency}` : ''} at Stripe${pending ? ` (${pending} is still pending and becomes available later)` : ''}`,
      'unprocessable',
      { currency },
    ),
  currencyRequired: (currencies: string[]) =>
    new DomainError('PAYOUTS.CURRENCY_REQUIRED', `Funds are available in ${currencies.join(', ')}: say which currency to pay out (currency)`, 'unprocessable', { currencies }),
  aboveAvailable: (amount: string, available: string) =>
    new DomainError('PAYOUTS.AMOUNT_ABOVE_AVAILABLE', `The amount ${amount} is above the ${available} available at Stripe`, 'unprocessable', { amount, available }),
  belowMinimum: (amount: string, minimum: string) => new DomainError('PAYOUTS.BELOW_MINIMUM', `The amount ${amount} is below the minimum payout of ${minimum}`, 'unprocessable', { amount, minimum }),
  openRequestExists: (currency: string, requestId: string | null) =>
    new DomainError(
      'PAYOUTS.OPEN_REQUEST_EXISTS',
      `A payout request in ${currency} is already open${requestId ? ` (${requestId})` : ''}: the next one waits until it is paid, failed, rejected or canceled`,
      'conflict',
      { currency, requestId },
    ),
  balanceUnavailable: (cause: unknown) => new DomainError('PAYOUTS.BALANCE_UNAVAILABLE', "Stripe's balance of the connected account could not be read; retry shortly", 'unavailable', undefined, cause),
  runInProgress: () => new DomainError('PAYOUTS.RUN_IN_PROGRESS', 'A run of the payout requests job is in progress on another instance; retry when it has finished', 'conflict'),
};
