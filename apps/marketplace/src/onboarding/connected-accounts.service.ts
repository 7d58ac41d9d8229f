import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { idempotencyKey, idempotencyKeyMayBeForgotten, StripeGateway, StripeGatewayError, type ConnectedAccountSnapshot } from '@app/stripe';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Principal } from '../identity/principal.entity.js';
import { OnboardingConfig } from './onboarding.config.js';
import { AccountBeingCreatedError } from './onboarding.errors.js';
import { SellerAccount } from './seller-account.entity.js';
import { SellerAccountsService } from './seller-accounts.service.js';

export interface OpenedAccount {
  account: SellerAccount;
  /** false when the seller already had the account (the call changed nothing). */
  created: boolean;
}

/** Creates each seller's Stripe connected account exactly once. */
@Injectable()
export class ConnectedAccountsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly gateway: StripeGateway,
    private readonly sellers: SellerAccountsService,
    private readonly config: OnboardingConfig,
  ) {}

  /**
   * tx1 inserts the seller's row (first request wins; its country and name are what Stripe gets),
   * then Stripe is called with a key derived from the seller id, so concurrent or retried calls are
   * one account; tx2 stores the account id. No transaction is open during the Stripe call.
   */
  async open(seller: Principal, input: { country?: string; businessName?: string }): Promise<OpenedAccount> {
    await this.db.query(
      `INSERT INTO seller_accounts (seller_id, country, business_name, link_token, status, currently_due, eventually_due, past_due, pending_verification)
       VALUES ($1, $2, $3, $4, 'pending', '{}', '{}', '{}', '{}')
       ON CONFLICT (seller_id) DO NOTHING`,
      [seller.id, (input.country ?? this.config.SELLER_DEFAULT_COUNTRY).toUpperCase(), input.businessName ?? null, randomBytes(24).toString('base64url')],
    );
    const intent = (await this.sellers.find(seller.id))!;
    if (intent.stripeAccountId) return { account: intent, created: false };

    let snapshot: ConnectedAccountSnapshot;
    try {
      snapshot = await this.createOrRecover(seller, intent);
    } catch (error) {
      // a concurrent request holds the key and Stripe is still working on it
      if (error instanceof StripeGatewayError && error.code === 'STRIPE.IDEMPOTENCY_CONFLICT') {
        const now = await this.sellers.find(seller.id);
        if (now?.stripeAccountId) return { account: now, created: false };
        throw new AccountBeingCreatedError(seller.id);
      }
      throw error;
    }
    const readAt = new Date();

    return this.db.transaction(async (tx) => {
      const account = (await tx.getRepository(SellerAccount).findOne({ where: { sellerId: seller.id }, lock: { mode: 'pessimistic_write' } }))!;
      if (account.stripeAccountId === snapshot.id) return { account, created: false }; // a concurrent request stored it first
      if (account.stripeAccountId) throw new Error(`seller ${seller.id} already has ${account.stripeAccountId}, Stripe returned ${snapshot.id}`);
      account.stripeAccountId = snapshot.id;
      account.sync(snapshot, readAt, 'api');
      return { account: await tx.save(account), created: true };
    });
  }

  private async createOrRecover(seller: Principal, intent: SellerAccount): Promise<ConnectedAccountSnapshot> {
    if (idempotencyKeyMayBeForgotten(intent.createdAt)) {
      const existing = await this.gateway.findConnectedAccountByMetadata('seller_id', seller.id);
      if (existing) return existing;
    }
    return this.gateway.createConnectedAccount(
      { sellerId: seller.id, email: seller.email, country: intent.country, ...(intent.businessName ? { businessName: intent.businessName } : {}) },
      idempotencyKey('account', seller.id),
    );
  }
}
