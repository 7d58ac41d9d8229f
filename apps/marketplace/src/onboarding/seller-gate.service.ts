import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SellerNotActiveError, SellerPayoutsFrozenError } from './onboarding.errors.js';
import { PayoutFreezes } from './payout-freezes.js';
import { SellerAccountsService } from './seller-accounts.service.js';
import { gateProblems, type GatePurpose } from './seller-status.js';

/**
 * The one question other modules ask before money moves to a seller. Answers from what webhooks
 * keep up to date (no Stripe call), and explains a refusal in terms the seller can act on. Inside
 * a transaction pass its `manager`, so the gate reads on the transaction's connection.
 */
@Injectable()
export class SellerGate {
  constructor(
    private readonly sellers: SellerAccountsService,
    private readonly freezes: PayoutFreezes,
  ) {}

  /** The seller's Stripe account id, if they may be the destination of a charge; else SELLER_NOT_ACTIVE. */
  assertCanReceivePayments(sellerId: string, manager?: EntityManager): Promise<string> {
    return this.assert(sellerId, 'payments', manager);
  }

  /**
   * The seller's Stripe account id, if money may be transferred to their account (the same
   * requirements as a payout, but not held by PayoutFreezes: a dispute freezes payouts, not the
   * transfer of shares already owed); else SELLER_NOT_ACTIVE.
   */
  assertCanReceiveTransfers(sellerId: string, manager?: EntityManager): Promise<string> {
    return this.assert(sellerId, 'payouts', manager);
  }

  /**
   * The seller's Stripe account id, if money may be transferred and paid out to them; else
   * SELLER_NOT_ACTIVE, or SELLER_PAYOUTS_FROZEN while something registered in PayoutFreezes (an open dispute) holds them.
   */
  async assertCanBePaidOut(sellerId: string, manager?: EntityManager): Promise<string> {
    const account = await this.assert(sellerId, 'payouts', manager);
    const reasons = await this.freezes.reasons(sellerId, manager);
    if (reasons.length > 0) throw new SellerPayoutsFrozenError(sellerId, reasons);
    return account;
  }

  private async assert(sellerId: string, purpose: GatePurpose, manager?: EntityManager): Promise<string> {
    const account = await this.sellers.find(sellerId, manager);
    const missing = gateProblems(account, purpose);
    if (missing.length === 0) return account!.stripeAccountId!;
    throw new SellerNotActiveError(sellerId, account?.status ?? null, missing, {
      stripeAccountId: account?.stripeAccountId ?? null,
      detailsSubmitted: account?.detailsSubmitted ?? false,
      chargesEnabled: account?.chargesEnabled ?? false,
      payoutsEnabled: account?.payoutsEnabled ?? false,
      currentlyDue: account?.currentlyDue ?? [],
      pastDue: account?.pastDue ?? [],
      disabledReason: account?.disabledReason ?? null,
      capabilities: account?.capabilities ?? { cardPayments: null, transfers: null },
    });
  }
}
