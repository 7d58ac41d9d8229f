import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { idempotencyKey, idempotencyKeyMayBeForgotten, StripeGateway, StripeGatewayError, type AccountSnapshot } from '@app/stripe';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Principal } from '../identity/principal.entity.js';
import { ManualPayoutSchedules } from '../payouts/manual-payout-schedules.service.js';
import { OnboardingConfig, SellerRole } from './onboarding.config.js';
import { AccountBeingCreatedError } from './onboarding.errors.js';
import { SellerAccount } from './seller-account.entity.js';
import { SellerAccountsService } from './seller-accounts.service.js';
import { WebhookInboxService } from '../webhooks/webhook-inbox.service.js';

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
    private readonly inbox: WebhookInboxService,
    private readonly config: OnboardingConfig,
    private readonly role: SellerRole,
    private readonly schedules: ManualPayoutSchedules,
  ) {}

  /**
   * tx1 inserts the seller's row (first request wins; its country, name, email, API and
   * merchant-of-record choice, the settings then, are what Stripe gets: a retry after a setting or
   * the email changed resumes the same request, as Stripe refuses a key reused with another body),
   * then Stripe is called with a key derived from the seller id, so concurrent or retried calls are
   * one account; tx2 stores the account id. No transaction is open during the Stripe call.
   */
  async open(seller: Principal, input: { country?: string; businessName?: string }): Promise<OpenedAccount> {
    const inserted: Array<{ seller_id: string }> = await this.db.query(
      `INSERT INTO seller_accounts (seller_id, country, business_name, link_token, status, currently_due, eventually_due, past_due, pending_verification, accounts_api, create_email, create_merchant_of_record)
       VALUES ($1, $2, $3, $4, 'pending', '{}', '{}', '{}', '{}', $5, $6, $7)
       ON CONFLICT (seller_id) DO NOTHING
       RETURNING seller_id`,
      [
        seller.id,
        (input.country ?? this.config.SELLER_DEFAULT_COUNTRY).toUpperCase(),
        input.businessName ?? null,
        randomBytes(24).toString('base64url'),
        this.config.STRIPE_ACCOUNTS_API,
        seller.email,
        this.role.merchantOfRecord,
      ],
    );
    const intent = (await this.sellers.find(seller.id))!;
    if (intent.stripeAccountId) {
      await this.schedules.afterAccountOpened(seller.id, intent.stripeAccountId, intent.payoutScheduleSetAt);
      return { account: intent, created: false };
    }

    let snapshot: AccountSnapshot;
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
    // A resumed creation (the row was there already: an earlier answer lost, or a concurrent
    // request) gets the key's saved answer, which may be days old; the account's events meanwhile
    // found no seller (quarantined). What is stored is the account as Stripe shows it now.
    if (inserted.length === 0) snapshot = await this.sellers.readAccount(snapshot.id, intent.accountsApi);
    const readAt = new Date();

    const opened = await this.db.transaction(async (tx) => {
      const account = (await tx.getRepository(SellerAccount).findOne({ where: { sellerId: seller.id }, lock: { mode: 'pessimistic_write' } }))!;
      if (account.stripeAccountId === snapshot.id) return { account, created: false }; // a concurrent request stored it first
      if (account.stripeAccountId) throw new Error(`seller ${seller.id} already has ${account.stripeAccountId}, Stripe returned ${snapshot.id}`);
      account.stripeAccountId = snapshot.id;
      account.sync(snapshot, readAt, 'api');
      return { account: await tx.save(account), created: true };
    });
    // what Stripe announced about the account before its id was ours (v2.core.account.created, a
    // change after the answer was made) was quarantined: worked now, so nothing it says is lost
    await this.inbox.releaseQuarantined(snapshot.id);
    // PAYOUT_MODE=reviewed: before the seller can be paid anything, Stripe must not pay them out on its own
    await this.schedules.afterAccountOpened(seller.id, snapshot.id, opened.account.payoutScheduleSetAt);
    return opened;
  }

  private async createOrRecover(seller: Principal, intent: SellerAccount): Promise<AccountSnapshot> {
    const key = idempotencyKey('account', seller.id);
    if (intent.accountsApi === 'v2') {
      // v2 keeps a key 30 days (v1: 24 h); past that, look for the account before making another
      if (idempotencyKeyMayBeForgotten(intent.createdAt, Date.now(), 'v2')) {
        const existing = await this.gateway.findAccountV2ByMetadata('seller_id', seller.id);
        if (existing) return existing;
      }
      return this.gateway.createAccountV2(
        {
          sellerId: seller.id,
          email: intent.createEmail ?? seller.email,
          country: intent.country,
          merchantOfRecord: intent.createMerchantOfRecord ?? this.role.merchantOfRecord,
          ...(intent.businessName ? { displayName: intent.businessName } : {}),
        },
        key,
      );
    }
    if (idempotencyKeyMayBeForgotten(intent.createdAt)) {
      const existing = await this.gateway.findConnectedAccountByMetadata('seller_id', seller.id);
      if (existing) return existing;
    }
    return this.gateway.createConnectedAccount(
      { sellerId: seller.id, email: intent.createEmail ?? seller.email, country: intent.country, ...(intent.businessName ? { businessName: intent.businessName } : {}) },
      key,
    );
  }
}
