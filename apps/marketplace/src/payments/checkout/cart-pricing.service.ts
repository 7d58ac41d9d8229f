import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { FeeQuote } from '../../fees/fee-policy.js';
import { FeePolicyService } from '../../fees/fee-policy.service.js';
import { ListingsService } from '../../listings/listings.service.js';
import { SellerGate } from '../../onboarding/seller-gate.service.js';
import { mergeCartItems, priceCart, splitBySeller, type CartItem, type PricedCart, type SellerSplit } from './cart.js';

export interface QuotedCart {
  cart: PricedCart;
  splits: (SellerSplit & { stripeAccountId: string })[];
}

/** A cart priced from active listings, every seller able to be paid, one fee quote per seller. */
@Injectable()
export class CartPricingService {
  constructor(
    private readonly listings: ListingsService,
    private readonly fees: FeePolicyService,
    private readonly gate: SellerGate,
  ) {}

  /**
   * Inside the checkout's transaction: listings are locked FOR SHARE until the order is recorded.
   * Every read goes through `tx`: a second pooled connection taken while the transaction holds
   * one deadlocks the pool under concurrent checkouts.
   */
  async quote(items: readonly CartItem[], tx: EntityManager): Promise<QuotedCart> {
    const merged = mergeCartItems(items);
    const listings = await this.listings.getActiveForCheckout(
      merged.map((i) => i.listingId),
      tx,
    );
    const cart = priceCart(merged, listings);
    const accounts = new Map<string, string>();
    for (const { sellerId } of cart.subtotals) accounts.set(sellerId, await this.gate.assertCanReceivePayments(sellerId, tx));
    const quotes = new Map<string, FeeQuote>();
    for (const { sellerId, subtotal } of cart.subtotals) quotes.set(sellerId, await this.fees.quote(sellerId, subtotal, tx));
    return { cart, splits: splitBySeller(cart, quotes).map((s) => ({ ...s, stripeAccountId: accounts.get(s.sellerId)! })) };
  }
}
