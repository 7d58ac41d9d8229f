import type Stripe from 'stripe';
import { Table } from '../core/store.js';
import type { RestrictedKeyRecord } from './restricted-keys.js';

export interface BankAccountInfo {
  accountNumber: string;
  routingNumber: string;
  last4: string;
  id: string;
}

export interface AccountInternals {
  platform: string;
  bank: BankAccountInfo | null;
  /** start of the sandbox day of the last automatic payout, per currency */
  lastAutoPayout: Record<string, number>;
  /** set for an account created through POST /v2/core/accounts: its v2 view (every includable part) */
  v2?: Stripe.V2.Core.Account;
}
export interface PlatformRecord {
  id: string;
  keyHint: string;
}
export interface LinkInternals {
  token: string;
  used: boolean;
  type: string;
  account: string;
  refreshUrl: string | null;
  returnUrl: string | null;
  /** a v2 Account Link (POST /v2/core/account_links) */
  v2?: boolean;
}
export interface ChargeInternals {
  platform: string;
  /** when a charge's funds become available (destination funds follow it) */
  availableOn: number;
  processingFee: number;
  /** a py_ payment's platform-side transfer */
  transfer?: string;
}
export interface PayoutInternals {
  inTransitAt: number;
  failureCode: string | null;
}
export interface TxnInternals {
  payout: string | null;
}
export interface EventInternals {
  platform: string;
  pending: number;
}
export interface EndpointInternals {
  platform: string | null;
  secret: string;
  connect: boolean;
}
export interface V2EventInternals {
  platform: string;
}
export interface EventDestinationInternals {
  platform: string | null;
  secret: string;
}
export interface SessionInternals {
  platform: string;
  paymentIntentData: PaymentIntentData;
  lineItemsTotal: number;
}
export interface PaymentIntentData {
  applicationFeeAmount: number | null;
  destination: string | null;
  transferAmount: number | null;
  onBehalfOf: string | null;
  transferGroup: string | null;
  metadata: Record<string, string>;
  description: string | null;
  captureMethod: 'automatic' | 'manual' | 'automatic_async';
}
export interface PiInternals {
  platform: string;
  data: PaymentIntentData;
}
export type None = Record<string, never>;

export class SandboxState {
  platforms = new Map<string, PlatformRecord>(); // key -> platform
  /** restricted keys (rk_test_...) made through the control API, each acting for its secret key's platform */
  restrictedKeys = new Map<string, RestrictedKeyRecord>();
  /** platform id -> settlement currency, where set through the control API */
  settlementCurrencies = new Map<string, string>();
  /** `from:to` -> decimal rate text (units of `to` per unit of `from`) */
  exchangeRates = new Map<string, string>();
  accounts = new Table<Stripe.Account, AccountInternals>();
  accountLinks = new Table<Stripe.AccountLink & { id: string }, LinkInternals>();
  sessions = new Table<Stripe.Checkout.Session, SessionInternals>();
  paymentIntents = new Table<Stripe.PaymentIntent, PiInternals>();
  charges = new Table<Stripe.Charge, ChargeInternals>();
  refunds = new Table<Stripe.Refund, None>();
  transfers = new Table<Stripe.Transfer, None>();
  reversals = new Table<Stripe.TransferReversal, None>();
  applicationFees = new Table<Stripe.ApplicationFee, None>();
  feeRefunds = new Table<Stripe.FeeRefund, None>();
  payouts = new Table<Stripe.Payout, PayoutInternals>();
  balanceTransactions = new Table<Stripe.BalanceTransaction, TxnInternals>();
  disputes = new Table<Stripe.Dispute, None>();
  events = new Table<Stripe.Event, EventInternals>();
  webhookEndpoints = new Table<Stripe.WebhookEndpoint, EndpointInternals>();
  /** v2 events (GET /v2/core/events/:id), delivered as thin events to event destinations */
  v2Events = new Table<Stripe.V2.Core.Event, V2EventInternals>();
  eventDestinations = new Table<Stripe.V2.Core.EventDestination, EventDestinationInternals>();

  tables() {
    return {
      accounts: this.accounts,
      accountLinks: this.accountLinks,
      sessions: this.sessions,
      paymentIntents: this.paymentIntents,
      charges: this.charges,
      refunds: this.refunds,
      transfers: this.transfers,
      reversals: this.reversals,
      applicationFees: this.applicationFees,
      feeRefunds: this.feeRefunds,
      payouts: this.payouts,
      balanceTransactions: this.balanceTransactions,
      disputes: this.disputes,
      events: this.events,
      webhookEndpoints: this.webhookEndpoints,
      v2Events: this.v2Events,
      eventDestinations: this.eventDestinations,
    };
  }

  /** Any stored object by id, for `expand[]`. */
  find(id: string): { obj: { id: string }; owner: string } | undefined {
    const prefix = id.slice(0, id.indexOf('_'));
    const table = PREFIX_TABLE[prefix];
    if (!table) return undefined;
    return this.tables()[table].get(id);
  }

  isAccountOf(platform: string, account: string): boolean {
    const row = this.accounts.get(account);
    return !!row && row.x.platform === platform;
  }
}

const PREFIX_TABLE: Record<string, keyof ReturnType<SandboxState['tables']>> = {
  acct: 'accounts',
  cs: 'sessions',
  pi: 'paymentIntents',
  ch: 'charges',
  py: 'charges',
  re: 'refunds',
  pyr: 'refunds',
  tr: 'transfers',
  trr: 'reversals',
  fee: 'applicationFees',
  fr: 'feeRefunds',
  po: 'payouts',
  txn: 'balanceTransactions',
  dp: 'disputes',
  du: 'disputes',
  evt: 'events',
  we: 'webhookEndpoints',
};
