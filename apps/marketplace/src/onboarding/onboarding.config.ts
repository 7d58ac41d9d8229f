import { Expose, Transform } from 'class-transformer';
import { Matches } from 'class-validator';

/** Seller onboarding settings. Every property is the environment variable of the same name. */
export class OnboardingConfig {
  /** Country of a new connected account when the seller does not say (ISO 3166-1 alpha-2). */
  @Expose()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @Matches(/^[A-Z]{2}$/, { message: 'must be a two-letter ISO country code, e.g. US' })
  SELLER_DEFAULT_COUNTRY: string = 'US';
}
