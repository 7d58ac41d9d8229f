/**
 * How long Stripe lets a connected account's funds sit on a manual payout schedule, by the
 * business's country. Stripe, "Using manual payouts" (docs.stripe.com/connect/manual-payouts):
 * "If you set the value of schedule.interval to manual, we hold funds in the accountholder's
 * balance until you specify otherwise. You must pay out the funds within the time period specified
 * below, based on the business's country: Thailand 10 days; United States 2 years; All other
 * countries 90 days."
 */
export const MANUAL_PAYOUT_HOLD_LIMIT_DAYS: Readonly<Record<string, number>> = {
  TH: 10,
  US: 730, // "2 years"
};
export const DEFAULT_MANUAL_PAYOUT_HOLD_LIMIT_DAYS = 90; // "All other countries"

/** The hold limit for a seller's country (ISO 3166-1 alpha-2); an unknown country gets the shortest common rule, 90 days. */
export function holdLimitDays(country: string | null | undefined): number {
  return (country && MANUAL_PAYOUT_HOLD_LIMIT_DAYS[country.toUpperCase()]) || DEFAULT_MANUAL_PAYOUT_HOLD_LIMIT_DAYS;
}

const DAY_MS = 86_400_000;

/** When funds available since `availableSince` must have been paid out by, for a seller in `country`. */
export function holdDeadline(availableSince: Date, country: string | null | undefined): Date {
  return new Date(availableSince.getTime() + holdLimitDays(country) * DAY_MS);
}

/** Whole days left before `deadline` at `now` (negative once past it), rounded down. */
export function daysLeft(deadline: Date, now: Date): number {
  return Math.floor((deadline.getTime() - now.getTime()) / DAY_MS);
}
