import { formatMoney, Money } from '@app/money';
import { Injectable } from '@nestjs/common';
import { type HeldFunds, TransferHoldsService } from '../transfers/index.js';
import type { BalanceComparison } from '../ledger/index.js';
import { DomainError } from '../common/domain-error.js';
import type { PayoutRequest } from './payout-request.entity.js';
import { PayoutRequestsConfig } from './payout-requests.config.js';
import { PayoutRequestsService } from './payout-requests.service.js';

type Sides = { available: bigint; pending: bigint };

/** One currency of a seller's balance: Stripe's view and the ledger's, what the platform holds, what is in review, and why a payout does or does not happen, in words. */
export interface SellerCurrencyBalance {
  currency: string;
  stripe: Sides;
  ledger: Sides;
  matches: boolean;
  held: HeldFunds[];
  heldTotal: bigint;
  open: PayoutRequest | null;
  minimum: bigint;
  payouts: string;
}

const show = (minor: bigint, currency: string) => formatMoney(Money.of(minor, currency));

/** The sentence a seller reads about their payouts in one currency. */
export function payoutsSentence(b: Omit<SellerCurrencyBalance, 'payouts'>): string {
  const c = b.currency;
  const heldNote = b.heldTotal > 0n ? `; ${show(b.heldTotal, c)} is held by the platform until its release (${b.held[0]!.releasesAt.toISOString().slice(0, 10)} first)` : '';
  if (b.open) {
    const amount = show(b.open.amount, c);
    const words: Record<string, string> = {
      held: `A payout of ${amount} is held: ${b.open.statusReason ?? 'the balance check did not pass'}`,
      pending_review: `A payout of ${amount} is in review`,
      approved: `A payout of ${amount} is approved and will be sent to Stripe shortly`,
      frozen: `A payout of ${amount} is frozen: ${b.open.statusReason ?? 'the seller cannot be paid out right now'}`,
      executing: `A payout of ${amount} is on its way to the bank account`,
    };
    return (words[b.open.status] ?? `A payout of ${amount} is ${b.open.status}`) + heldNote;
  }
  if (!b.matches) {
    return `Payouts wait: Stripe reports ${show(b.stripe.available, c)} available and the ledger ${show(b.ledger.available, c)}; no payout is made until they agree${heldNote}`;
  }
  if (b.stripe.available <= 0n) {
    const pending = b.stripe.pending > 0n ? `; ${show(b.stripe.pending, c)} is pending and becomes available later` : '';
    return `Nothing is available to pay out${pending}${heldNote}`;
  }
  if (b.stripe.available < b.minimum) return `Below the minimum payout of ${show(b.minimum, c)}: ${show(b.stripe.available, c)} is available${heldNote}`;
  return `${show(b.stripe.available, c)} can be paid out: request a payout, or the scheduled job requests it${heldNote}`;
}

/** GET /sellers/me/balance: the balance check of the seller's account beside what the platform holds and what is in review. */
@Injectable()
export class SellerBalanceService {
  constructor(
    private readonly requests: PayoutRequestsService,
    private readonly holds: TransferHoldsService,
    private readonly config: PayoutRequestsConfig,
  ) {}

  async of(sellerId: string): Promise<{ account: string | null; currencies: SellerCurrencyBalance[] }> {
    let account: string;
    try {
      account = await this.requests.accountOf(sellerId);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'PAYOUTS.NO_CONNECTED_ACCOUNT') return { account: null, currencies: [] };
      throw error;
    }
    const balances = (await this.requests.readBalances(sellerId)).filter((b) => b.account === account);
    const held = await this.holds.heldFor(sellerId);
    const open = await this.requests.openRequests(sellerId);
    const currencies = [...new Set([...balances.map((b) => b.currency), ...held.map((h) => h.currency), ...open.map((r) => r.currency)])].sort();
    return { account, currencies: currencies.map((c) => this.currency(c, balances, held, open)) };
  }

  private currency(currency: string, balances: BalanceComparison[], held: HeldFunds[], open: PayoutRequest[]): SellerCurrencyBalance {
    const b = balances.find((x) => x.currency === currency);
    const mine = held.filter((h) => h.currency === currency);
    const base = {
      currency,
      stripe: b?.stripe ?? { available: 0n, pending: 0n },
      ledger: b?.ledger ?? { available: 0n, pending: 0n },
      matches: b?.matches ?? true,
      held: mine,
      heldTotal: mine.reduce((sum, h) => sum + h.amount, 0n),
      open: open.find((r) => r.currency === currency) ?? null,
      minimum: this.config.minimumFor(currency),
    };
    return { ...base, payouts: payoutsSentence(base) };
  }
}
