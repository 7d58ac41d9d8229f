import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { idempotencyKey, StripeGateway, type AccountLink } from '@app/stripe';
import { timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '../common/domain-error.js';
import { AppConfig } from '../config/app.config.js';
import { AccountClosedError } from './onboarding.errors.js';
import type { SellerAccount } from './seller-account.entity.js';
import { SellerAccountsService } from './seller-accounts.service.js';
import { SellerGate } from './seller-gate.service.js';

/** Stripe-hosted onboarding links, their refresh and return ends, and Express dashboard links. */
@Injectable()
export class OnboardingLinksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly gateway: StripeGateway,
    private readonly sellers: SellerAccountsService,
    private readonly gate: SellerGate,
    private readonly app: AppConfig,
  ) {}

  /**
   * A fresh `account_onboarding` link, also after details were submitted (it then collects what is
   * still due; Stripe refuses `account_update` links for Express-dashboard accounts).
   */
  async onboardingLink(sellerId: string): Promise<AccountLink> {
    return this.issue(await this.sellers.getConnected(sellerId));
  }

  /**
   * Stripe's refresh_url: the link expired or was used. Only someone who was handed one of our
   * links knows the token, so nobody else can mint onboarding links for an account.
   */
  async refreshLink(stripeAccountId: string, token: string): Promise<AccountLink> {
    return this.issue(await this.byLinkToken(stripeAccountId, token));
  }

  /** Stripe's return_url: the redirect proves nothing, so read the account from Stripe. */
  async returned(stripeAccountId: string, token: string): Promise<SellerAccount> {
    await this.byLinkToken(stripeAccountId, token);
    return this.sellers.syncFromStripe(stripeAccountId, 'return');
  }

  /** A login link to the Express dashboard, for active sellers only. */
  async dashboardLink(sellerId: string): Promise<{ url: string }> {
    const stripeAccountId = await this.gate.assertCanBePaidOut(sellerId);
    const n = await this.nextLinkNumber(sellerId);
    return this.gateway.createDashboardLink(stripeAccountId, idempotencyKey('login_link', sellerId, String(n)));
  }

  private async issue(account: SellerAccount & { stripeAccountId: string }): Promise<AccountLink> {
    if (account.status === 'disconnected' || account.status === 'rejected') throw new AccountClosedError(account.sellerId, account.status);
    const n = await this.nextLinkNumber(account.sellerId);
    const query = `account=${encodeURIComponent(account.stripeAccountId)}&token=${encodeURIComponent(account.linkToken)}`;
    const link = {
      account: account.stripeAccountId,
      refreshUrl: `${this.app.publicUrl}/onboarding/refresh?${query}`,
      returnUrl: `${this.app.publicUrl}/onboarding/return?${query}`,
    };
    const key = idempotencyKey('account_link', account.sellerId, String(n));
    // the same pages either way; a v2 account gets a v2 Account Link
    return account.accountsApi === 'v2' ? this.gateway.createAccountLinkV2(link, key) : this.gateway.createOnboardingLink(link, key);
  }

  private async byLinkToken(stripeAccountId: string, token: string): Promise<SellerAccount & { stripeAccountId: string }> {
    const account = await this.sellers.findByStripeAccount(stripeAccountId);
    if (!account || !sameSecret(account.linkToken, token)) throw new NotFoundError('Onboarding account', stripeAccountId);
    return account as SellerAccount & { stripeAccountId: string };
  }

  // Every link is its own Stripe request: its key derives from this per-seller counter.
  private async nextLinkNumber(sellerId: string): Promise<number> {
    const [rows]: [Array<{ n: number }>, number] = await this.db.query(`UPDATE seller_accounts SET links_issued = links_issued + 1 WHERE seller_id = $1 RETURNING links_issued AS n`, [sellerId]);
    return rows[0]!.n;
  }
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
