import { DomainError } from '../common/domain-error.js';

export const FeesErrors = {
  sellerNotFound: (id: string) => new DomainError('FEES.SELLER_NOT_FOUND', `Seller ${id} was not found`, 'not_found'),
  invalidFixedAmounts: (problem: string) => new DomainError('FEES.INVALID_FIXED_AMOUNTS', `fixedAmounts ${problem}`, 'invalid'),
};
