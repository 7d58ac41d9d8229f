import { currencyRules, Money } from '@app/money';
import type { FeeQuote } from '../../fees/fee-policy.js';
import type { CheckoutListing } from '../../listings/listings.service.js';
import { PaymentsErrors } from '../payments.errors.js';

/** Stripe's largest amount for one charge, in minor units (USD 999,999.99). */
export const MAX_CHARGE_AMOUNT = 99_999_999n;

export interface CartItem {
  listingId: string;
  quantity: number;
}

export interface PricedLine {
  listing: CheckoutListing;
  quantity: number;
  amount: Money;
}

export interface PricedCart {
  currency: string;
  lines: PricedLine[];
  total: Money;
  /** Each seller's subtotal, in the order the sellers first appear in the cart. */
  subtotals: { sellerId: string; subtotal: Money }[];
}

export interface SellerSplit {
  sellerId: string;
  subtotal: Money;
  fee: Money;
  sellerShare: Money;
}

/** Same listing twice in a cart is one line with the quantities added. Refuses quantities below 1. */
export function mergeCartItems(items: readonly CartItem[]): CartItem[] {
  if (items.length === 0) throw PaymentsErrors.emptyCart();
  const merged = new Map<string, number>();
  for (const item of items) {
    if (!Number.isSafeInteger(item.quantity) || item.quantity < 1) throw PaymentsErrors.invalidQuantity(item.listingId, item.quantity);
    merged.set(item.listingId, (merged.get(item.listingId) ?? 0) + item.quantity);
  }
  return [...merged].map(([listingId, quantity]) => ({ listingId, quantity }));
}

/**
 * Prices a cart from its (active) listings: one currency, a total no larger than Stripe allows,
 * and each seller's subtotal. Pure: the checkout hands it what the database said.
 */
export function priceCart(items: readonly CartItem[], listings: readonly CheckoutListing[]): PricedCart {
  const byId = new Map(listings.map((l) => [l.id, l]));
  const merged = mergeCartItems(items);
  const currencies = [...new Set(merged.map((i) => byId.get(i.listingId)!.unitPrice.currency))];
  if (currencies.length > 1) throw PaymentsErrors.mixedCurrencies(currencies.sort());
  const currency = currencies[0]!;
  const lines = merged.map((i) => {
    const listing = byId.get(i.listingId)!;
    return { listing, quantity: i.quantity, amount: listing.unitPrice.multiply(BigInt(i.quantity)) };
  });
  const total = lines.reduce((sum, l) => sum.add(l.amount), Money.zero(currency));
  if (total.minor > MAX_CHARGE_AMOUNT) throw PaymentsErrors.totalTooLarge(total.minor, MAX_CHARGE_AMOUNT);
  assertChargeableTotal(total);
  const subtotals = new Map<string, Money>();
  for (const l of lines) subtotals.set(l.listing.sellerId, (subtotals.get(l.listing.sellerId) ?? Money.zero(currency)).add(l.amount));
  return { currency, lines, total, subtotals: [...subtotals].map(([sellerId, subtotal]) => ({ sellerId, subtotal })) };
}

/**
 * A total Stripe can charge, refused before any order is written: at least Stripe's minimum charge
 * in its currency (USD 0.50, GBP 0.30, JPY 50 ...; a currency Stripe's table does not list has no
 * minimum here), and a multiple of the currency's granularity (10 fils in KWD: listings created
 * before that rule could still add up to an amount ending in 5).
 */
export function assertChargeableTotal(total: Money): void {
  const rules = currencyRules(total.currency);
  if (total.minor % rules.granularity !== 0n) throw PaymentsErrors.totalGranularity(total.currency, total.minor, rules.granularity);
  if (rules.minimumCharge !== null && total.minor < rules.minimumCharge) throw PaymentsErrors.totalTooSmall(total.currency, total.minor, rules.minimumCharge);
}

/** Each seller's fee and share from one quote per seller subtotal (rounding happens once per seller). */
export function splitBySeller(cart: PricedCart, quotes: ReadonlyMap<string, FeeQuote>): SellerSplit[] {
  return cart.subtotals.map(({ sellerId, subtotal }) => {
    const quote = quotes.get(sellerId);
    if (!quote?.fee.add(quote.sellerShare).equals(subtotal)) throw new Error(`fee quote for seller ${sellerId} does not cover their subtotal`);
    return { sellerId, subtotal, fee: quote.fee, sellerShare: quote.sellerShare };
  });
}
