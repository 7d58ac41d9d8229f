import { DomainError } from '../common/domain-error.js';
import type { SellerStatus } from './seller-status.js';

export class NoConnectedAccountError extends DomainError {
  constructor(sellerId: string) {
    super('ONBOARDING.NO_CONNECTED_ACCOUNT', `Seller ${sellerId} has no connected account yet: POST /sellers/me/connected-account first`, 'conflict');
  }
}

export class AccountClosedError extends DomainError {
  constructor(sellerId: string, status: SellerStatus) {
    super('ONBOARDING.ACCOUNT_CLOSED', `Seller ${sellerId}'s connected account is ${status}: onboarding cannot continue`, 'conflict', { status });
  }
}

export class AccountBeingCreatedError extends DomainError {
  constructor(sellerId: string) {
    super('ONBOARDING.ACCOUNT_BEING_CREATED', `Seller ${sellerId}'s connected account is being created by another request; retry shortly`, 'conflict');
  }
}

/** A seller who may not be charged for or paid out, with everything that stands in the way. */
export class SellerNotActiveError extends DomainError {
  constructor(sellerId: string, status: SellerStatus | null, missing: string[], details: Record<string, unknown>) {
    super('SELLER_NOT_ACTIVE', `Seller ${sellerId} is not active: ${missing.join('; ')}`, 'unprocessable', { sellerId, status, missing, ...details });
  }
}

/** Payouts held while something (an open dispute) is unresolved. */
export class SellerPayoutsFrozenError extends DomainError {
  constructor(sellerId: string, reasons: string[]) {
    super('SELLER_PAYOUTS_FROZEN', `Seller ${sellerId}'s payouts are frozen: ${reasons.join('; ')}`, 'unprocessable', { sellerId, reasons });
  }
}
