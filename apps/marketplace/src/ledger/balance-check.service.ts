import { Money } from '@app/money';
import { StripeGateway, type BalanceSnapshot } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ConnectedAccountDirectory } from '../webhooks/connected-account-directory.js';

export interface BalanceFigures {
  pending: bigint;
  available: bigint;
}

/** One Stripe balance in one currency: what the ledger says, what Stripe says, and ledger - Stripe. */
export interface BalanceComparison {
  balance: 'platform' | 'connected';
  sellerId: string | null;
  account: string | null;
  currency: string;
  ledger: BalanceFigures;
  stripe: BalanceFigures;
  difference: BalanceFigures;
  matches: boolean;
}

export interface BalanceCheckReport {
  checkedAt: Date;
  matches: boolean;
  balances: BalanceComparison[];
}

type Figures = Map<string, BalanceFigures>;

/**
 * The balance check (ARCHITECTURE "Data and money"): the ledger's cash of each Stripe balance,
 * pending and available per currency, against `GET /v1/balance` for it (the platform's, and each
 * seller's connected account with Stripe-Account). Read-only; payouts run it before paying and
 * reconciliation builds on it. A difference names the balance, the currency and the amount.
 */
@Injectable()
export class BalanceCheckService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly gateway: StripeGateway,
    private readonly accounts: ConnectedAccountDirectory,
  ) {}

  /** `reader`: the gateway Stripe's balances are read with (reconciliation passes its read-only one). */
  async check(filter: { sellerId?: string; currency?: string; platformOnly?: boolean } = {}, reader: Pick<StripeGateway, 'retrieveBalance'> = this.gateway): Promise<BalanceCheckReport> {
    const currency = filter.currency ? Money.zero(filter.currency).currency : undefined;
    const sellers = filter.platformOnly ? [] : await this.sellers(filter.sellerId);
    const balances: BalanceComparison[] = [];
    if (!filter.sellerId) balances.push(...compare('platform', null, null, await this.ledgerFigures(null), toFigures(await reader.retrieveBalance()), currency));
    for (const { sellerId, account } of sellers) {
      balances.push(...compare('connected', sellerId, account, await this.ledgerFigures(sellerId), toFigures(await reader.retrieveBalance(account)), currency));
    }
    return { checkedAt: new Date(), matches: balances.every((b) => b.matches), balances };
  }

  /** Sellers with a connected account (and any seller the ledger has connected cash for). */
  private async sellers(only?: string): Promise<Array<{ sellerId: string; account: string }>> {
    const known = await this.accounts.sellers();
    const booked: Array<{ sellerId: string; account: string }> = await this.db.query(
      `SELECT DISTINCT seller_id AS "sellerId", stripe_account AS account FROM ledger_lines
        WHERE account IN ('connected_cash_pending', 'connected_cash_available') AND stripe_account IS NOT NULL`,
    );
    const byAccount = new Map<string, { sellerId: string; account: string }>();
    for (const s of [...known, ...booked]) if (!byAccount.has(s.account)) byAccount.set(s.account, s);
    return [...byAccount.values()].filter((s) => !only || s.sellerId === only);
  }

  private async ledgerFigures(sellerId: string | null): Promise<Figures> {
    const accounts = sellerId ? ['connected_cash_pending', 'connected_cash_available'] : ['platform_cash_pending', 'platform_cash_available'];
    const rows: Array<{ account: string; currency: string; total: string }> = await this.db.query(
      `SELECT account, currency, sum(amount)::text AS total FROM ledger_lines
        WHERE account = ANY($1) AND ${sellerId ? 'seller_id = $2' : 'seller_id IS NULL'}
        GROUP BY account, currency`,
      sellerId ? [accounts, sellerId] : [accounts],
    );
    const figures: Figures = new Map();
    for (const r of rows) {
      const f = figures.get(r.currency) ?? { pending: 0n, available: 0n };
      if (r.account.endsWith('_pending')) f.pending += BigInt(r.total);
      else f.available += BigInt(r.total);
      figures.set(r.currency, f);
    }
    return figures;
  }
}

function toFigures(b: BalanceSnapshot): Figures {
  const figures: Figures = new Map();
  const add = (side: keyof BalanceFigures, list: BalanceSnapshot['available']) => {
    for (const { currency, amount } of list) {
      const f = figures.get(currency) ?? { pending: 0n, available: 0n };
      f[side] += amount;
      figures.set(currency, f);
    }
  };
  add('available', b.available);
  add('pending', b.pending);
  return figures;
}

function compare(balance: 'platform' | 'connected', sellerId: string | null, account: string | null, ledger: Figures, stripe: Figures, only?: string): BalanceComparison[] {
  const currencies = only ? [only] : [...new Set([...ledger.keys(), ...stripe.keys()])].sort();
  return currencies.map((currency) => {
    const l = ledger.get(currency) ?? { pending: 0n, available: 0n };
    const s = stripe.get(currency) ?? { pending: 0n, available: 0n };
    const difference = { pending: l.pending - s.pending, available: l.available - s.available };
    return { balance, sellerId, account, currency, ledger: l, stripe: s, difference, matches: difference.pending === 0n && difference.available === 0n };
  });
}
