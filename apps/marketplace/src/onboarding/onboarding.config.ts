import { Expose, Transform } from 'class-transformer';
import { IsIn, Matches } from 'class-validator';
import type { AccountsApi } from '@app/stripe';

/** Seller onboarding settings. Every property is the environment variable of the same name. */
export class OnboardingConfig {
  /** Country of a new connected account when the seller does not say (ISO 3166-1 alpha-2). */
  @Expose()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @Matches(/^[A-Z]{2}$/, { message: 'must be a two-letter ISO country code, e.g. US' })
  SELLER_DEFAULT_COUNTRY: string = 'US';

  /**
   * Which Stripe API creates new sellers' connected accounts: `v2` (Accounts v2, what Stripe tells
   * new Connect platforms to use) or `v1` (`/v1/accounts`, for platforms already on it). An account
   * is always read through the API that made it, whatever this says.
   */
  @Expose()
  @IsIn(['v2', 'v1'], { message: 'must be v2 or v1' })
  STRIPE_ACCOUNTS_API: AccountsApi = 'v2';
}

/** How the platform charges, as onboarding needs it: whether a seller is the merchant of record (CHECKOUT_ON_BEHALF_OF). */
export class SellerRole {
  constructor(readonly merchantOfRecord: boolean) {}
}
