import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { StripeGateway, StripeGatewayError, type AccountSnapshot, type AccountsApi } from '@app/stripe';
import type { DataSource, EntityManager } from 'typeorm';
import { keysetPage, type KeysetOrder, type Page } from '../common/page.js';
import type { PaginationQuery } from '../common/pagination.query.js';
import { ConnectedAccountDirectory } from '../webhooks/connected-account-directory.js';
import { NoConnectedAccountError } from './onboarding.errors.js';
import { SellerAccount, type SyncSource } from './seller-account.entity.js';
import type { SellerStatus } from './seller-status.js';

export interface SellerListFilter extends PaginationQuery {
  status?: SellerStatus;
}

// Sellers with a requirements deadline first, soonest first; then the rest, oldest first. The
// deadline is Stripe's and can change while an admin pages: that seller then moves in the list.
const SELLERS_ORDER: KeysetOrder<SellerAccount> = {
  table: 'seller_accounts',
  idColumn: 'seller_id',
  idIsUuid: true,
  direction: 'ASC',
  keys: (a) => [`COALESCE(${a}.current_deadline, 'infinity'::timestamptz)`, `${a}.created_at`, `${a}.seller_id`],
  idOf: (s) => s.sellerId,
};

/** Seller accounts as stored, and the one guarded way Stripe's view of an account lands in them. */
@Injectable()
export class SellerAccountsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly gateway: StripeGateway,
    private readonly directory: ConnectedAccountDirectory,
  ) {}

  onModuleInit(): void {
    // Connect events of accounts in seller_accounts are applied; strangers' are quarantined.
    this.directory.register({
      isKnown: async (accountId) => (await this.findByStripeAccount(accountId)) !== null,
      list: async () => {
        const rows: Array<{ id: string }> = await this.db.query(`SELECT stripe_account_id AS id FROM seller_accounts WHERE stripe_account_id IS NOT NULL ORDER BY created_at`);
        return rows.map((r) => r.id);
      },
      sellers: async () => {
        const rows: Array<{ sellerId: string; account: string }> = await this.db.query(
          `SELECT seller_id AS "sellerId", stripe_account_id AS account FROM seller_accounts WHERE stripe_account_id IS NOT NULL ORDER BY created_at`,
        );
        return rows;
      },
    });
  }

  /** Inside a transaction pass its `manager`: the read then uses the transaction's connection. */
  find(sellerId: string, manager?: EntityManager): Promise<SellerAccount | null> {
    return (manager ?? this.db.manager).findOneBy(SellerAccount, { sellerId });
  }

  /** The seller's account, which must exist in Stripe already. */
  async getConnected(sellerId: string): Promise<SellerAccount & { stripeAccountId: string }> {
    const account = await this.find(sellerId);
    if (!account?.stripeAccountId) throw new NoConnectedAccountError(sellerId);
    return account as SellerAccount & { stripeAccountId: string };
  }

  findByStripeAccount(stripeAccountId: string): Promise<SellerAccount | null> {
    return this.db.getRepository(SellerAccount).findOneBy({ stripeAccountId });
  }

  list(filter: SellerListFilter): Promise<Page<SellerAccount>> {
    const q = this.db.getRepository(SellerAccount).createQueryBuilder('s');
    if (filter.status) q.andWhere('s.status = :status', { status: filter.status });
    return keysetPage(q, SELLERS_ORDER, filter);
  }

  /** Reads the account from Stripe now and stores what it says (unless something newer is stored). */
  async syncFromStripe(stripeAccountId: string, from: SyncSource): Promise<SellerAccount> {
    const known = await this.findByStripeAccount(stripeAccountId);
    if (!known) throw new Error(`no seller owns connected account ${stripeAccountId}`);
    const snapshot = await this.readAccount(stripeAccountId, known.accountsApi);
    const readAt = new Date();
    return this.db.transaction((tx) => this.applySnapshot(tx, snapshot, readAt, from));
  }

  /**
   * For an event's handler: the account read now through the API that made it, or null when no
   * seller owns it or it can no longer be read (access revoked: the deauthorization event,
   * delivered separately, disconnects the seller).
   */
  async readForEvent(stripeAccountId: string, onUnreadable: () => void): Promise<{ snapshot: AccountSnapshot; readAt: Date } | null> {
    const seller = await this.findByStripeAccount(stripeAccountId);
    if (!seller) return null;
    try {
      const snapshot = await this.readAccount(stripeAccountId, seller.accountsApi);
      return { snapshot, readAt: new Date() };
    } catch (error) {
      if (!(error instanceof StripeGatewayError && error.code === 'STRIPE.ACCOUNT_NOT_ENABLED')) throw error;
      onUnreadable();
      return null;
    }
  }

  /** The account as Stripe shows it now, through the API that made it (whatever STRIPE_ACCOUNTS_API says today). */
  readAccount(stripeAccountId: string, api: AccountsApi): Promise<AccountSnapshot> {
    return api === 'v2' ? this.gateway.retrieveAccountV2(stripeAccountId) : this.gateway.retrieveConnectedAccount(stripeAccountId);
  }

  /**
   * Stores a snapshot read from Stripe at `readAt`, under a row lock. A snapshot older than the
   * stored one changes nothing, so events worked out of order never roll a seller back.
   */
  async applySnapshot(tx: EntityManager, snapshot: AccountSnapshot, readAt: Date, from: SyncSource): Promise<SellerAccount> {
    const account = await this.lockByStripeAccount(tx, snapshot.id);
    if (!account) throw new Error(`no seller owns connected account ${snapshot.id}`);
    if (account.sync(snapshot, readAt, from)) await tx.save(account);
    return account;
  }

  /** account.application.deauthorized: the seller is disconnected for good. */
  async disconnect(tx: EntityManager, stripeAccountId: string, at: Date, from: SyncSource): Promise<SellerAccount | null> {
    const account = await this.lockByStripeAccount(tx, stripeAccountId);
    if (account?.disconnect(at, from)) await tx.save(account);
    return account;
  }

  private lockByStripeAccount(tx: EntityManager, stripeAccountId: string): Promise<SellerAccount | null> {
    return tx.getRepository(SellerAccount).findOne({ where: { stripeAccountId }, lock: { mode: 'pessimistic_write' } });
  }
}
