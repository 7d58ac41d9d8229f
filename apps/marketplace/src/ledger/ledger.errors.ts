import { DomainError } from '../common/domain-error.js';

export const LedgerErrors = {
  unbalanced: (totals: Record<string, string>) => new DomainError('LEDGER.UNBALANCED', `Entry lines must sum to zero per currency; they sum to ${JSON.stringify(totals)}`, 'unprocessable', { totals }),
  tooFewLines: () => new DomainError('LEDGER.TOO_FEW_LINES', 'An entry needs at least two lines', 'unprocessable'),
  zeroLine: (index: number) => new DomainError('LEDGER.ZERO_LINE', `Line ${index} has a zero amount; leave it out`, 'unprocessable'),
  unknownAccount: (code: string) => new DomainError('LEDGER.UNKNOWN_ACCOUNT', `There is no ledger account "${code}"`, 'not_found'),
  sellerRequired: (code: string) => new DomainError('LEDGER.SELLER_REQUIRED', `Account ${code} is kept per seller: give a sellerId`, 'invalid'),
  sellerNotAllowed: (code: string) => new DomainError('LEDGER.SELLER_NOT_ALLOWED', `Account ${code} is not kept per seller: leave sellerId out`, 'invalid'),
  invalidEntry: (message: string) => new DomainError('LEDGER.INVALID_ENTRY', message, 'invalid'),
  idempotencyKeyReused: (key: string) => new DomainError('LEDGER.IDEMPOTENCY_KEY_REUSED', `Idempotency key "${key}" was already used for a different entry`, 'conflict'),
  entryNotFound: (id: string) => new DomainError('LEDGER.ENTRY_NOT_FOUND', `Ledger entry ${id} was not found`, 'not_found'),
  alreadyReversed: (id: string) => new DomainError('LEDGER.ALREADY_REVERSED', `Ledger entry ${id} has already been reversed`, 'conflict'),
  cannotReverseStripeMovement: (id: string) =>
    new DomainError(
      'LEDGER.CANNOT_REVERSE_STRIPE_MOVEMENT',
      `Ledger entry ${id} books balance transactions Stripe made; book Stripe's next movement (a refund failure, a reinstatement) instead of reversing it`,
      'unprocessable',
    ),
  cannotReverseReversal: (id: string) => new DomainError('LEDGER.CANNOT_REVERSE_REVERSAL', `Ledger entry ${id} is itself a reversal; post a new entry instead`, 'unprocessable'),
};
