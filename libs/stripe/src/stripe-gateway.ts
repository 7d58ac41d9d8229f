import type Stripe from 'stripe';
import { isRetryable, mapStripeError, retryAfterMs } from './error-mapping.js';
import type { IdempotencyKey } from './idempotency-key.js';
import { STRIPE_BACKOFF_CAP_MS, type StripeConfig } from './stripe.config.js';
import {
  expandedTxn,
  toAccountV2Snapshot,
  toApplicationFeeSnapshot,
  toBalanceSettingsSnapshot,
  toThinEventEnvelope,
  toThinEventSnapshot,
  toBalanceSnapshot,
  toFeeRefundSnapshot,
  toPayoutSnapshot,
  toChargeSnapshot,
  toCheckoutSessionSnapshot,
  toConnectedAccountSnapshot,
  toDisputeSnapshot,
  toEventEnvelope,
  toPaymentIntentSnapshot,
  toRefundSnapshot,
  toTransferReversalSnapshot,
  toTransferSnapshot,
  toListedBalanceTransaction,
} from './stripe.mappers.js';
import type {
  AccountLink,
  AccountV2Snapshot,
  BalanceSettingsSnapshot,
  PayoutInterval,
  ThinEventSnapshot,
  ApplicationFeeSnapshot,
  BalanceSnapshot,
  BalanceTransactionSnapshot,
  FeeRefundSnapshot,
  PayoutSnapshot,
  ChargeSnapshot,
  CheckoutSessionSnapshot,
  ConnectedAccountSnapshot,
  DisputeSnapshot,
  NewCheckoutSession,
  PaymentIntentSnapshot,
  RefundReason,
  RefundSnapshot,
  StripeEventEnvelope,
  TransferReversalSnapshot,
  TransferSnapshot,
  CreatedRange,
  ListPage,
  ListedBalanceTransaction,
} from './stripe.types.js';
import { endpointLimitFor, type RequestBudget } from './request-budget.js';

/** The slice of a pino logger the gateway needs. */
export interface GatewayLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

interface CallSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  idempotencyKey?: IdempotencyKey;
  account?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The one seam to Stripe. Methods speak the domain's language and return our types. Every attempt
 * takes a slot of the request budget shared by all instances (and of its endpoint's, for an
 * operation with its own limit); 429, 5xx and lost connections are retried
 * with exponential backoff and full jitter, mutating calls only with their (derived) idempotency key.
 */
export class StripeGateway {
  /** Responses seen from Stripe, for metrics: 429s (each one retried or answered as STRIPE.RATE_LIMITED). */
  readonly responses = { rateLimited: 0 };

  constructor(
    private readonly stripe: Stripe,
    private readonly config: StripeConfig,
    private readonly budget: RequestBudget,
    private readonly logger: GatewayLogger,
  ) {}

  get livemode(): boolean {
    return this.config.livemode;
  }

  /** Creates the seller's connected account with controller properties (Stripe's current model). */
  async createConnectedAccount(input: { sellerId: string; email: string | null; country: string; businessName?: string }, key: IdempotencyKey): Promise<ConnectedAccountSnapshot> {
    const account = await this.call({ method: 'POST', path: '/v1/accounts', idempotencyKey: key }, () =>
      this.stripe.accounts.create(
        {
          country: input.country,
          ...(input.email ? { email: input.email } : {}),
          controller: {
            fees: { payer: 'application' },
            losses: { payments: 'application' },
            stripe_dashboard: { type: 'express' },
            requirement_collection: 'stripe',
          },
          capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
          metadata: { seller_id: input.sellerId },
          ...(input.businessName ? { business_profile: { name: input.businessName } } : {}),
        },
        { idempotencyKey: key },
      ),
    );
    return toConnectedAccountSnapshot(account);
  }

  async retrieveConnectedAccount(accountId: string): Promise<ConnectedAccountSnapshot> {
    const account = await this.call({ method: 'GET', path: `/v1/accounts/${accountId}` }, () => this.stripe.accounts.retrieve(accountId));
    return toConnectedAccountSnapshot(account);
  }

  /**
   * The platform's connected account whose `metadata[key]` is `value`, if any. For recovering an
   * account whose creation answer was lost after Stripe stopped honouring its idempotency key.
   */
  async findConnectedAccountByMetadata(key: string, value: string): Promise<ConnectedAccountSnapshot | null> {
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call({ method: 'GET', path: '/v1/accounts' }, () => this.stripe.accounts.list({ limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) }));
      const found = page.data.find((a) => a.metadata?.[key] === value);
      if (found) return toConnectedAccountSnapshot(found);
      if (!page.has_more || page.data.length === 0) return null;
      startingAfter = page.data[page.data.length - 1]!.id;
    }
  }

  /**
   * Creates the seller's account with Accounts v2. The platform charges as destination charges
   * without on_behalf_of or separate charges and transfers: the seller is a *recipient*
   * (stripe_balance.stripe_transfers). With `merchantOfRecord` (CHECKOUT_ON_BEHALF_OF) it also gets
   * the *merchant* configuration with card_payments. Fees and losses are the platform's, the
   * dashboard Express: what v1's controller properties said.
   */
  async createAccountV2(input: NewAccountV2, key: IdempotencyKey): Promise<AccountV2Snapshot> {
    const account = await this.call({ method: 'POST', path: '/v2/core/accounts', idempotencyKey: key }, () =>
      this.stripe.v2.core.accounts.create(accountV2CreateParams(input), { idempotencyKey: key }),
    );
    return toAccountV2Snapshot(account);
  }

  /** A v2 account with what the status needs included (configurations, identity, requirements). */
  async retrieveAccountV2(accountId: string): Promise<AccountV2Snapshot> {
    const params: Stripe.V2.Core.AccountRetrieveParams = { include: ACCOUNT_V2_INCLUDE };
    const account = await this.call({ method: 'GET', path: `/v2/core/accounts/${accountId}` }, () => this.stripe.v2.core.accounts.retrieve(accountId, params));
    return toAccountV2Snapshot(account);
  }

  /**
   * The platform's v2 account whose `metadata[key]` is `value`, if any. v2 lists have no metadata
   * filter (and the SDK's params no page token), so the SDK's pager reads pages, in one budgeted call,
   * until it is found: only for an account whose creation answer was lost after Stripe forgot its key (30 days).
   */
  async findAccountV2ByMetadata(key: string, value: string): Promise<AccountV2Snapshot | null> {
    const params: Stripe.V2.Core.AccountListParams = { limit: 100 };
    const found = await this.call({ method: 'GET', path: '/v2/core/accounts' }, async () => {
      for await (const account of this.stripe.v2.core.accounts.list(params)) if (account.metadata?.[key] === value) return { id: account.id };
      return { id: undefined };
    });
    return found.id ? this.retrieveAccountV2(found.id) : null;
  }

  /** A v2 Account Link (use case account_onboarding) back to our refresh and return pages. */
  async createAccountLinkV2(input: { account: string; refreshUrl: string; returnUrl: string }, key: IdempotencyKey): Promise<AccountLink> {
    const params: Stripe.V2.Core.AccountLinkCreateParams = {
      account: input.account,
      use_case: {
        type: 'account_onboarding',
        account_onboarding: { refresh_url: input.refreshUrl, return_url: input.returnUrl, collection_options: { fields: 'currently_due' } },
      },
    };
    const link = await this.call({ method: 'POST', path: '/v2/core/account_links', idempotencyKey: key }, () => this.stripe.v2.core.accountLinks.create(params, { idempotencyKey: key }));
    return { url: link.url, expiresAt: new Date(link.expires_at) };
  }

  /** A thin event as Stripe holds it (`GET /v2/core/events/:id`): proof it exists, and what it is about. */
  async retrieveThinEvent(id: string): Promise<ThinEventSnapshot> {
    const event = await this.call({ method: 'GET', path: `/v2/core/events/${id}` }, () => this.stripe.v2.core.events.retrieve(id));
    return toThinEventSnapshot(event);
  }

  /**
   * Thin events of these types created in [from, to] (`GET /v2/core/events`, the platform's), for
   * backfilling missed deliveries. Stripe lists newest first; paging stops once a page is older
   * than `from` (the SDK's params filter no created range in the v2 form, see README).
   */
  async *listThinEvents(window: { from: Date; to: Date }, types: string[]): AsyncGenerator<StripeEventEnvelope> {
    const params: Stripe.V2.Core.EventListParams = { limit: 100, types };
    let next: string | null = null;
    for (let first = true; first || next; first = false) {
      const url: string | null = next;
      const page: { id: undefined; data: Stripe.V2.Core.Event[]; next_page_url: string | null } = await this.call({ method: 'GET', path: '/v2/core/events' }, async () => {
        const list = url ? await this.stripe.rawRequest('GET', url) : await this.stripe.v2.core.events.list(params);
        return { id: undefined, data: list.data ?? [], next_page_url: list.next_page_url ?? null };
      });
      let older = 0;
      for (const event of page.data) {
        const created = new Date(event.created);
        if (created < window.from) older++;
        else if (created <= window.to) yield toThinEventEnvelope(event);
      }
      next = older === page.data.length ? null : page.next_page_url;
    }
  }

  /** A connected account's balance settings (payout schedule), v1 and v2 accounts alike. */
  async retrieveBalanceSettings(account: string): Promise<BalanceSettingsSnapshot> {
    const settings = await this.call({ method: 'GET', path: '/v1/balance_settings', account }, () => this.stripe.balanceSettings.retrieve({}, { stripeAccount: account }));
    return toBalanceSettingsSnapshot(settings);
  }

  /** Sets a connected account's payout schedule (e.g. `manual`, for payouts the platform reviews). */
  async updatePayoutSchedule(account: string, interval: PayoutInterval, key: IdempotencyKey): Promise<BalanceSettingsSnapshot> {
    const params: Stripe.BalanceSettingsUpdateParams = { payments: { payouts: { schedule: { interval } } } };
    const settings = await this.call({ method: 'POST', path: '/v1/balance_settings', account, idempotencyKey: key }, () =>
      this.stripe.balanceSettings.update(params, { stripeAccount: account, idempotencyKey: key }),
    );
    return toBalanceSettingsSnapshot(settings);
  }

  async createOnboardingLink(input: { account: string; refreshUrl: string; returnUrl: string }, key: IdempotencyKey): Promise<AccountLink> {
    const link = await this.call({ method: 'POST', path: '/v1/account_links', idempotencyKey: key }, () =>
      this.stripe.accountLinks.create({ account: input.account, refresh_url: input.refreshUrl, return_url: input.returnUrl, type: 'account_onboarding' }, { idempotencyKey: key }),
    );
    return { url: link.url, expiresAt: new Date(link.expires_at * 1000) };
  }

  async createDashboardLink(account: string, key: IdempotencyKey): Promise<{ url: string }> {
    const link = await this.call({ method: 'POST', path: `/v1/accounts/${account}/login_links`, idempotencyKey: key }, () =>
      this.stripe.accounts.createLoginLink(account, {}, { idempotencyKey: key }),
    );
    return { url: link.url };
  }

  async createTransfer(
    input: { amount: bigint; currency: string; destination: string; transferGroup?: string; sourceTransaction?: string; metadata?: Record<string, string> },
    key: IdempotencyKey,
  ): Promise<TransferSnapshot> {
    const transfer = await this.call({ method: 'POST', path: '/v1/transfers', idempotencyKey: key }, () =>
      this.stripe.transfers.create(
        {
          amount: toStripeAmount(input.amount),
          currency: input.currency.toLowerCase(),
          destination: input.destination,
          ...(input.transferGroup ? { transfer_group: input.transferGroup } : {}),
          ...(input.sourceTransaction ? { source_transaction: input.sourceTransaction } : {}),
          metadata: input.metadata ?? {},
          expand: ['balance_transaction'],
        },
        { idempotencyKey: key },
      ),
    );
    return toTransferSnapshot(transfer);
  }

  async listTransfers(filter: { transferGroup?: string; destination?: string }): Promise<TransferSnapshot[]> {
    const out: TransferSnapshot[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call({ method: 'GET', path: '/v1/transfers' }, () =>
        this.stripe.transfers.list({
          limit: 100,
          ...(filter.transferGroup ? { transfer_group: filter.transferGroup } : {}),
          ...(filter.destination ? { destination: filter.destination } : {}),
          ...(startingAfter ? { starting_after: startingAfter } : {}),
          expand: ['data.balance_transaction'],
        }),
      );
      out.push(...page.data.map(toTransferSnapshot));
      if (!page.has_more || page.data.length === 0) return out;
      startingAfter = page.data[page.data.length - 1]!.id;
    }
  }

  /**
   * A hosted Checkout Session in payment mode. With `destination` it is a destination charge
   * (transfer_data.destination, application_fee_amount, on_behalf_of when asked); without, the
   * platform keeps the funds and later transfers them (transfer_group ties them together).
   */
  async createCheckoutSession(input: NewCheckoutSession, key: IdempotencyKey): Promise<CheckoutSessionSnapshot> {
    const currency = input.currency.toLowerCase();
    const d = input.destination;
    const session = await this.call({ method: 'POST', path: '/v1/checkout/sessions', idempotencyKey: key }, () =>
      this.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
          metadata: input.metadata,
          line_items: input.lineItems.map((item) => ({
            quantity: item.quantity,
            price_data: { currency, unit_amount: toStripeAmount(item.unitAmount), product_data: { name: item.name } },
          })),
          payment_intent_data: {
            transfer_group: input.transferGroup,
            metadata: input.metadata,
            ...(d
              ? {
                  transfer_data: { destination: d.account },
                  application_fee_amount: toStripeAmount(d.applicationFeeAmount),
                  ...(d.onBehalfOf ? { on_behalf_of: d.account } : {}),
                }
              : {}),
          },
        },
        { idempotencyKey: key },
      ),
    );
    return toCheckoutSessionSnapshot(session);
  }

  async retrieveCheckoutSession(id: string): Promise<CheckoutSessionSnapshot> {
    return toCheckoutSessionSnapshot(await this.call({ method: 'GET', path: `/v1/checkout/sessions/${id}` }, () => this.stripe.checkout.sessions.retrieve(id)));
  }

  /** Ends an open session so it can no longer be paid (Stripe refuses once it is complete). */
  async expireCheckoutSession(id: string, key: IdempotencyKey): Promise<CheckoutSessionSnapshot> {
    return toCheckoutSessionSnapshot(
      await this.call({ method: 'POST', path: `/v1/checkout/sessions/${id}/expire`, idempotencyKey: key }, () => this.stripe.checkout.sessions.expire(id, {}, { idempotencyKey: key })),
    );
  }

  async retrievePaymentIntent(id: string): Promise<PaymentIntentSnapshot> {
    const pi = await this.call({ method: 'GET', path: `/v1/payment_intents/${id}` }, () => this.stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] }));
    return toPaymentIntentSnapshot(pi);
  }

  /**
   * A charge with what it moved expanded: its balance transaction (Stripe's processing fee, net and
   * settlement currency), a destination charge's transfer and application fee with theirs.
   */
  async retrieveCharge(id: string): Promise<ChargeSnapshot> {
    const charge = await this.call({ method: 'GET', path: `/v1/charges/${id}` }, () => this.stripe.charges.retrieve(id, { expand: ['balance_transaction', 'application_fee.balance_transaction'] }));
    const snapshot = toChargeSnapshot(charge);
    // only destination charges have a transfer: read it (with its balance transaction) when there is one
    return snapshot.transferId ? { ...snapshot, transfer: await this.retrieveTransfer(snapshot.transferId) } : snapshot;
  }

  /**
   * The balance transaction a transfer's py_ payment made on the destination account (that
   * account's side of a transfer), read with Stripe-Account.
   */
  async retrieveDestinationPaymentTransaction(paymentId: string, account: string): Promise<BalanceTransactionSnapshot | null> {
    const payment = await this.call({ method: 'GET', path: `/v1/charges/${paymentId}`, account }, () =>
      this.stripe.charges.retrieve(paymentId, { expand: ['balance_transaction'] }, { stripeAccount: account }),
    );
    return expandedTxn(payment.balance_transaction);
  }

  /** The balance transaction of a refund on a connected account (a transfer reversal's side there). */
  async retrieveConnectedRefundTransaction(refundId: string, account: string): Promise<BalanceTransactionSnapshot | null> {
    const refund = await this.call({ method: 'GET', path: `/v1/refunds/${refundId}`, account }, () =>
      this.stripe.refunds.retrieve(refundId, { expand: ['balance_transaction'] }, { stripeAccount: account }),
    );
    return expandedTxn(refund.balance_transaction);
  }

  async retrieveApplicationFee(id: string): Promise<ApplicationFeeSnapshot> {
    const fee = await this.call({ method: 'GET', path: `/v1/application_fees/${id}` }, () => this.stripe.applicationFees.retrieve(id, { expand: ['balance_transaction'] }));
    return toApplicationFeeSnapshot(fee);
  }

  /** Every refund of an application fee, with its balance transaction: what Stripe really returned. */
  async listApplicationFeeRefunds(feeId: string): Promise<FeeRefundSnapshot[]> {
    const out: FeeRefundSnapshot[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call({ method: 'GET', path: `/v1/application_fees/${feeId}/refunds` }, () =>
        this.stripe.applicationFees.listRefunds(feeId, { limit: 100, expand: ['data.balance_transaction'], ...(startingAfter ? { starting_after: startingAfter } : {}) }),
      );
      out.push(...page.data.map(toFeeRefundSnapshot));
      if (!page.has_more || page.data.length === 0) return out;
      startingAfter = page.data[page.data.length - 1]!.id;
    }
  }

  /** `GET /v1/balance`: the platform's, or a connected account's with `account`. */
  async retrieveBalance(account?: string): Promise<BalanceSnapshot> {
    const balance = await this.call({ method: 'GET', path: '/v1/balance', account }, () => this.stripe.balance.retrieve({}, account ? { stripeAccount: account } : {}));
    return toBalanceSnapshot(balance);
  }

  /** A payout of a connected account (or the platform's), with its balance transactions. */
  async retrievePayout(id: string, account?: string): Promise<PayoutSnapshot> {
    const payout = await this.call({ method: 'GET', path: `/v1/payouts/${id}`, account }, () =>
      this.stripe.payouts.retrieve(id, { expand: ['balance_transaction', 'failure_balance_transaction'] }, account ? { stripeAccount: account } : {}),
    );
    return toPayoutSnapshot(payout);
  }

  /**
   * A manual payout from a connected account's available balance to its bank account
   * (`POST /v1/payouts` with Stripe-Account). The key derives from our attempt row (`payout:<id>`).
   */
  async createPayout(input: { account: string; amount: bigint; currency: string; metadata: Record<string, string> }, key: IdempotencyKey): Promise<PayoutSnapshot> {
    const payout = await this.call({ method: 'POST', path: '/v1/payouts', idempotencyKey: key, account: input.account }, () =>
      this.stripe.payouts.create(
        { amount: toStripeAmount(input.amount), currency: input.currency.toLowerCase(), metadata: input.metadata, expand: ['balance_transaction'] },
        { idempotencyKey: key, stripeAccount: input.account },
      ),
    );
    return toPayoutSnapshot(payout);
  }

  /** The account's payout whose metadata[key] is value (every page read, newest first), or null. */
  async findPayoutByMetadata(account: string, key: string, value: string): Promise<PayoutSnapshot | null> {
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call({ method: 'GET', path: '/v1/payouts', account }, () =>
        this.stripe.payouts.list({ limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}), expand: ['data.balance_transaction'] }, { stripeAccount: account }),
      );
      const found = page.data.find((p) => p.metadata?.[key] === value);
      if (found) return toPayoutSnapshot(found);
      if (!page.has_more || page.data.length === 0) return null;
      startingAfter = page.data[page.data.length - 1]!.id;
    }
  }

  /** Balance transactions made by one object (e.g. a canceled payout's `payout_cancel`). */
  async listBalanceTransactionsOf(source: string, account?: string): Promise<BalanceTransactionSnapshot[]> {
    const page = await this.call({ method: 'GET', path: '/v1/balance_transactions', account }, () =>
      this.stripe.balanceTransactions.list({ source, limit: 100 }, account ? { stripeAccount: account } : {}),
    );
    return page.data.map((t) => expandedTxn(t)!);
  }

  /**
   * Refunds (part of) a charge. For destination charges `reverseTransfer` pulls the refunded share
   * back from the seller and `refundApplicationFee` returns the platform's fee in proportion.
   */
  async createRefund(
    input: { chargeId: string; amount: bigint; reason?: RefundReason; reverseTransfer: boolean; refundApplicationFee: boolean; metadata?: Record<string, string> },
    key: IdempotencyKey,
  ): Promise<RefundSnapshot> {
    const refund = await this.call({ method: 'POST', path: '/v1/refunds', idempotencyKey: key }, () =>
      this.stripe.refunds.create(
        {
          charge: input.chargeId,
          amount: toStripeAmount(input.amount),
          ...(input.reason ? { reason: input.reason } : {}),
          ...(input.reverseTransfer ? { reverse_transfer: true } : {}),
          ...(input.refundApplicationFee ? { refund_application_fee: true } : {}),
          metadata: input.metadata ?? {},
          expand: ['transfer_reversal.balance_transaction', 'balance_transaction'],
        },
        { idempotencyKey: key },
      ),
    );
    return toRefundSnapshot(refund);
  }

  /** Every refund of a charge, with their transfer reversals expanded. */
  async listRefunds(chargeId: string): Promise<RefundSnapshot[]> {
    const out: RefundSnapshot[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call({ method: 'GET', path: '/v1/refunds' }, () =>
        this.stripe.refunds.list({
          charge: chargeId,
          limit: 100,
          expand: ['data.transfer_reversal.balance_transaction', 'data.balance_transaction'],
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        }),
      );
      for (const r of page.data) out.push(await this.withFailureTransaction(r));
      if (!page.has_more || page.data.length === 0) return out;
      startingAfter = page.data[page.data.length - 1]!.id;
    }
  }

  async retrieveRefund(id: string): Promise<RefundSnapshot> {
    return this.withFailureTransaction(
      await this.call({ method: 'GET', path: `/v1/refunds/${id}` }, () => this.stripe.refunds.retrieve(id, { expand: ['transfer_reversal.balance_transaction', 'balance_transaction'] })),
    );
  }

  /** A failed refund's refund_failure balance transaction is read too (it exists only once the refund failed). */
  private async withFailureTransaction(refund: Stripe.Refund): Promise<RefundSnapshot> {
    const snapshot = toRefundSnapshot(refund);
    const id = typeof refund.failure_balance_transaction === 'string' ? refund.failure_balance_transaction : null;
    if (!id) return snapshot;
    const txn = await this.call({ method: 'GET', path: `/v1/balance_transactions/${id}` }, () => this.stripe.balanceTransactions.retrieve(id));
    return { ...snapshot, failureBalanceTransaction: expandedTxn(txn) };
  }

  /** Pulls `amount` of a transfer back from the destination account to the platform. */
  async createTransferReversal(
    input: { transferId: string; amount: bigint; metadata?: Record<string, string>; refundApplicationFee?: boolean },
    key: IdempotencyKey,
  ): Promise<TransferReversalSnapshot> {
    const reversal = await this.call({ method: 'POST', path: `/v1/transfers/${input.transferId}/reversals`, idempotencyKey: key }, () =>
      this.stripe.transfers.createReversal(
        input.transferId,
        {
          amount: toStripeAmount(input.amount),
          metadata: input.metadata ?? {},
          ...(input.refundApplicationFee ? { refund_application_fee: true } : {}),
          expand: ['balance_transaction'],
        },
        { idempotencyKey: key },
      ),
    );
    return toTransferReversalSnapshot(reversal);
  }

  /** A transfer's reversals (to find one made under an idempotency key Stripe has since forgotten). */
  async listTransferReversals(transferId: string): Promise<TransferReversalSnapshot[]> {
    const out: TransferReversalSnapshot[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call({ method: 'GET', path: `/v1/transfers/${transferId}/reversals` }, () =>
        this.stripe.transfers.listReversals(transferId, { limit: 100, expand: ['data.balance_transaction'], ...(startingAfter ? { starting_after: startingAfter } : {}) }),
      );
      out.push(...page.data.map(toTransferReversalSnapshot));
      if (!page.has_more || page.data.length === 0) return out;
      startingAfter = page.data[page.data.length - 1]!.id;
    }
  }

  async retrieveDispute(id: string): Promise<DisputeSnapshot> {
    return toDisputeSnapshot(await this.call({ method: 'GET', path: `/v1/disputes/${id}` }, () => this.stripe.disputes.retrieve(id)));
  }

  /** A transfer with its balance transaction (the platform's side). */
  async retrieveTransfer(id: string): Promise<TransferSnapshot> {
    return toTransferSnapshot(await this.call({ method: 'GET', path: `/v1/transfers/${id}` }, () => this.stripe.transfers.retrieve(id, { expand: ['balance_transaction'] })));
  }

  /**
   * Events created in [from, to] (the platform's own, or a connected account's with `account`).
   * Order is not guaranteed: callers must not assume it.
   */
  async *listEvents(window: { from: Date; to: Date }, account?: string): AsyncGenerator<StripeEventEnvelope> {
    let startingAfter: string | undefined;
    const created = { gte: Math.floor(window.from.getTime() / 1000), lte: Math.ceil(window.to.getTime() / 1000) };
    for (;;) {
      const page = await this.call({ method: 'GET', path: '/v1/events', account }, () =>
        this.stripe.events.list({ limit: 100, created, ...(startingAfter ? { starting_after: startingAfter } : {}) }, account ? { stripeAccount: account } : {}),
      );
      for (const event of page.data) yield toEventEnvelope(event);
      if (!page.has_more || page.data.length === 0) return;
      startingAfter = page.data[page.data.length - 1]!.id;
    }
  }

  // ---- reads for reconciliation: whole lists, a page at a time, resumable after any id ----

  /**
   * Balance transactions of one balance (the platform's, or `account`'s), created in the range or
   * paid out by `payout` (automatic payouts only: Stripe refuses the filter for manual ones), a page at a time.
   */
  pagesOfBalanceTransactions(q: { account?: string; created?: CreatedRange; payout?: string; startingAfter?: string }): AsyncGenerator<ListPage<ListedBalanceTransaction>> {
    const opts = q.account ? { stripeAccount: q.account } : {};
    return this.pages(
      { method: 'GET', path: '/v1/balance_transactions', account: q.account },
      (page) => this.stripe.balanceTransactions.list({ ...page, ...(q.created ? { created: range(q.created) } : {}), ...(q.payout ? { payout: q.payout } : {}) }, opts),
      toListedBalanceTransaction,
      q.startingAfter,
    );
  }

  /** One balance transaction, or null when Stripe has none with that id in that balance. */
  async retrieveBalanceTransaction(id: string, account?: string): Promise<ListedBalanceTransaction | null> {
    try {
      const txn = await this.call({ method: 'GET', path: `/v1/balance_transactions/${id}`, account }, () =>
        this.stripe.balanceTransactions.retrieve(id, {}, account ? { stripeAccount: account } : {}),
      );
      return toListedBalanceTransaction(txn);
    } catch (error) {
      if ((error as { code?: string }).code === 'STRIPE.NOT_FOUND') return null;
      throw error;
    }
  }

  /** A balance's payouts created in the range, or (`arrival`) expected in the bank in it. */
  pagesOfPayouts(q: { account?: string; created?: CreatedRange; arrival?: CreatedRange; startingAfter?: string }): AsyncGenerator<ListPage<PayoutSnapshot>> {
    const opts = q.account ? { stripeAccount: q.account } : {};
    const filter = { ...(q.created ? { created: range(q.created) } : {}), ...(q.arrival ? { arrival_date: range(q.arrival) } : {}) };
    return this.pages(
      { method: 'GET', path: '/v1/payouts', account: q.account },
      (page) => this.stripe.payouts.list({ ...page, ...filter, expand: ['data.balance_transaction', 'data.failure_balance_transaction'] }, opts),
      toPayoutSnapshot,
      q.startingAfter,
    );
  }

  /** The platform's transfers created in the range. */
  pagesOfTransfers(q: { created: CreatedRange; startingAfter?: string }): AsyncGenerator<ListPage<TransferSnapshot>> {
    return this.pages({ method: 'GET', path: '/v1/transfers' }, (page) => this.stripe.transfers.list({ ...page, created: range(q.created) }), toTransferSnapshot, q.startingAfter);
  }

  /** The platform's refunds created in the range. */
  pagesOfRefunds(q: { created: CreatedRange; startingAfter?: string }): AsyncGenerator<ListPage<RefundSnapshot>> {
    return this.pages({ method: 'GET', path: '/v1/refunds' }, (page) => this.stripe.refunds.list({ ...page, created: range(q.created) }), toRefundSnapshot, q.startingAfter);
  }

  /** The platform's disputes created in the range. */
  pagesOfDisputes(q: { created: CreatedRange; startingAfter?: string }): AsyncGenerator<ListPage<DisputeSnapshot>> {
    return this.pages({ method: 'GET', path: '/v1/disputes' }, (page) => this.stripe.disputes.list({ ...page, created: range(q.created) }), toDisputeSnapshot, q.startingAfter);
  }

  /** Application fees the platform collected, created in the range. */
  pagesOfApplicationFees(q: { created: CreatedRange; startingAfter?: string }): AsyncGenerator<ListPage<ApplicationFeeSnapshot>> {
    return this.pages({ method: 'GET', path: '/v1/application_fees' }, (page) => this.stripe.applicationFees.list({ ...page, created: range(q.created) }), toApplicationFeeSnapshot, q.startingAfter);
  }

  /**
   * Stripe's clock: the HTTP Date of its answer to a cheap read (whole seconds). Real Stripe's is
   * ours give or take; the sandbox's runs ahead when tests move it.
   */
  async stripeClock(): Promise<Date> {
    const balance = await this.call({ method: 'GET', path: '/v1/balance' }, () => this.stripe.balance.retrieve());
    const date = balance.lastResponse?.headers?.date;
    const at = date ? new Date(date) : null;
    return at && !Number.isNaN(at.getTime()) ? at : new Date();
  }

  /**
   * A re-sync past Stripe's 30-day event retention: the object as Stripe has it now, wrapped in an
   * event of a type its handler takes (id `evt_resync_<tag>`, so the inbox keeps it once), to be worked
   * by the normal handler. Null for an object of a kind no handler re-reads.
   */
  async resyncEvent(objectId: string, account: string | null, tag: string): Promise<StripeEventEnvelope | null> {
    const opts = account ? { stripeAccount: account } : {};
    const spec = (path: string): CallSpec => ({ method: 'GET', path, account: account ?? undefined });
    let type: string;
    let object: { id: string };
    if (objectId.startsWith('re_')) [type, object] = ['charge.refund.updated', await this.call(spec(`/v1/refunds/${objectId}`), () => this.stripe.refunds.retrieve(objectId, {}, opts))];
    else if (objectId.startsWith('po_')) [type, object] = ['payout.updated', await this.call(spec(`/v1/payouts/${objectId}`), () => this.stripe.payouts.retrieve(objectId, {}, opts))];
    else if (objectId.startsWith('tr_')) [type, object] = ['transfer.updated', await this.call(spec(`/v1/transfers/${objectId}`), () => this.stripe.transfers.retrieve(objectId, {}, opts))];
    else if (objectId.startsWith('du_') || objectId.startsWith('dp_'))
      [type, object] = ['charge.dispute.updated', await this.call(spec(`/v1/disputes/${objectId}`), () => this.stripe.disputes.retrieve(objectId, {}, opts))];
    else if (objectId.startsWith('ch_')) [type, object] = ['charge.refunded', await this.call(spec(`/v1/charges/${objectId}`), () => this.stripe.charges.retrieve(objectId, {}, opts))];
    else return null;
    const { lastResponse: _response, ...data } = object as { id: string; lastResponse?: unknown };
    const created = Math.floor(Date.now() / 1000);
    const event = { id: `evt_resync_${tag}`, object: 'event', type, account: account ?? undefined, created, livemode: this.config.livemode, api_version: null, data: { object: data } };
    return toEventEnvelope(event as unknown as Stripe.Event);
  }

  private async *pages<R extends { id: string }, S>(
    spec: CallSpec,
    list: (page: { limit: number; starting_after?: string }) => Promise<Stripe.Response<Stripe.ApiList<R>>>,
    map: (raw: R) => S,
    startingAfter?: string,
  ): AsyncGenerator<ListPage<S>> {
    let after = startingAfter;
    for (;;) {
      const page = await this.call(spec, () => list({ limit: 100, ...(after ? { starting_after: after } : {}) }));
      const last = page.data.at(-1)?.id ?? after ?? null;
      yield { data: page.data.map(map), hasMore: page.has_more, last };
      if (!page.has_more || page.data.length === 0) return;
      after = last ?? undefined;
    }
  }

  private async call<T extends { id?: string; lastResponse?: { requestId?: string; statusCode?: number } }>(spec: CallSpec, send: () => Promise<T>): Promise<T> {
    const mutating = spec.method !== 'GET';
    if (mutating && !spec.idempotencyKey) throw new Error(`${spec.method} ${spec.path} needs an idempotency key`);
    const maxRetries = this.config.STRIPE_MAX_RETRIES;
    const endpoint = endpointLimitFor(spec.method, spec.path, this.config.endpointLimits);
    for (let attempt = 0; ; attempt++) {
      await this.budget.take(endpoint);
      const started = performance.now();
      try {
        const result = await send();
        this.logger.info(
          {
            stripe: {
              ...describe(spec),
              attempt,
              status: result.lastResponse?.statusCode ?? 200,
              requestId: result.lastResponse?.requestId,
              objectId: result.id,
              ms: Math.round(performance.now() - started),
            },
          },
          'stripe request',
        );
        return result;
      } catch (error) {
        const retry = attempt < maxRetries && isRetryable(error);
        const stripeError = error as { statusCode?: number; code?: string; requestId?: string };
        if (stripeError.statusCode === 429) this.responses.rateLimited++;
        this.logger.warn(
          {
            stripe: {
              ...describe(spec),
              attempt,
              status: stripeError.statusCode ?? null,
              code: stripeError.code ?? null,
              requestId: stripeError.requestId,
              ms: Math.round(performance.now() - started),
              willRetry: retry,
            },
          },
          'stripe request failed',
        );
        if (!retry) throw mapStripeError(error, { mutating, idempotencyKey: spec.idempotencyKey });
        await sleep(this.backoff(attempt, retryAfterMs(error)));
      }
    }
  }

  // Exponential backoff with full jitter, capped; Stripe's Retry-After wins when it asks for longer.
  private backoff(attempt: number, retryAfter: number | undefined): number {
    const exp = Math.min(STRIPE_BACKOFF_CAP_MS, this.config.STRIPE_RETRY_BASE_MS * 2 ** attempt);
    const jittered = exp / 2 + Math.random() * (exp / 2);
    return Math.max(jittered, retryAfter ?? 0);
  }
}

/** What a new v2 account is made of (see createAccountV2). */
export interface NewAccountV2 {
  sellerId: string;
  email: string | null;
  country: string;
  displayName?: string;
  /** The seller is the merchant of record (charges with on_behalf_of): merchant configuration with card_payments. */
  merchantOfRecord: boolean;
}

const ACCOUNT_V2_INCLUDE: Stripe.V2.Core.AccountCreateParams.Include[] = ['configuration.merchant', 'configuration.recipient', 'identity', 'requirements'];

/** The request body of `POST /v2/core/accounts`, typed by the SDK's own params (a misspelt field does not compile). */
export function accountV2CreateParams(input: NewAccountV2): Stripe.V2.Core.AccountCreateParams {
  const configuration: Stripe.V2.Core.AccountCreateParams.Configuration = {
    recipient: { capabilities: { stripe_balance: { stripe_transfers: { requested: true } } } },
    ...(input.merchantOfRecord ? { merchant: { capabilities: { card_payments: { requested: true } } } } : {}),
  };
  return {
    ...(input.email ? { contact_email: input.email } : {}),
    ...(input.displayName ? { display_name: input.displayName } : {}),
    dashboard: 'express',
    identity: { country: input.country.toLowerCase() },
    configuration,
    defaults: { responsibilities: { fees_collector: 'application', losses_collector: 'application' } },
    metadata: { seller_id: input.sellerId },
    include: ACCOUNT_V2_INCLUDE,
  };
}

const range = (r: CreatedRange) => ({ gte: Math.floor(r.gte.getTime() / 1000), lt: Math.ceil(r.lt.getTime() / 1000) });

function describe(spec: CallSpec) {
  return { method: spec.method, path: spec.path, account: spec.account ?? null, idempotencyKey: spec.idempotencyKey ?? null };
}

/** Stripe's API takes integers; refuse what does not fit exactly rather than round. */
export function toStripeAmount(amount: bigint): number {
  if (amount < 0n || amount > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`amount ${amount} cannot be sent to Stripe`);
  return Number(amount);
}
