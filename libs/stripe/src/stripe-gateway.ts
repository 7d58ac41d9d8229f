import type Stripe from 'stripe';
import { isRetryable, mapStripeError, retryAfterMs } from './error-mapping.js';
import type { IdempotencyKey } from './idempotency-key.js';
import type { StripeConfig } from './stripe.config.js';
import { toConnectedAccountSnapshot, toEventEnvelope, toTransferSnapshot } from './stripe.mappers.js';
import type { AccountLink, ConnectedAccountSnapshot, StripeEventEnvelope, TransferSnapshot } from './stripe.types.js';
import { TokenBucket } from './token-bucket.js';

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
 * The one seam to Stripe. Methods speak the domain's language and return our types. Every call
 * takes a token from the process-wide request budget; 429, 5xx and lost connections are retried
 * with exponential backoff and full jitter, mutating calls only with their (derived) idempotency key.
 */
export class StripeGateway {
  constructor(
    private readonly stripe: Stripe,
    private readonly config: StripeConfig,
    private readonly budget: TokenBucket,
    private readonly logger: GatewayLogger,
  ) {}

  get livemode(): boolean {
    return this.config.livemode;
  }

  /** Creates the seller's connected account with controller properties (Stripe's current model). */
  async createConnectedAccount(
    input: { sellerId: string; email: string | null; country: string; businessName?: string },
    key: IdempotencyKey,
  ): Promise<ConnectedAccountSnapshot> {
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
      const page = await this.call({ method: 'GET', path: '/v1/accounts' }, () =>
        this.stripe.accounts.list({ limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) }),
      );
      const found = page.data.find((a) => a.metadata?.[key] === value);
      if (found) return toConnectedAccountSnapshot(found);
      if (!page.has_more || page.data.length === 0) return null;
      startingAfter = page.data[page.data.length - 1]!.id;
    }
  }

  async createOnboardingLink(input: { account: string; refreshUrl: string; returnUrl: string }, key: IdempotencyKey): Promise<AccountLink> {
    const link = await this.call({ method: 'POST', path: '/v1/account_links', idempotencyKey: key }, () =>
      this.stripe.accountLinks.create(
        { account: input.account, refresh_url: input.refreshUrl, return_url: input.returnUrl, type: 'account_onboarding' },
        { idempotencyKey: key },
      ),
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
        }),
      );
      out.push(...page.data.map(toTransferSnapshot));
      if (!page.has_more || page.data.length === 0) return out;
      startingAfter = page.data[page.data.length - 1]!.id;
    }
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

  async retrieveEvent(id: string): Promise<StripeEventEnvelope> {
    return toEventEnvelope(await this.call({ method: 'GET', path: `/v1/events/${id}` }, () => this.stripe.events.retrieve(id)));
  }

  private async call<T extends { id?: string; lastResponse?: { requestId?: string; statusCode?: number } }>(spec: CallSpec, send: () => Promise<T>): Promise<T> {
    const mutating = spec.method !== 'GET';
    if (mutating && !spec.idempotencyKey) throw new Error(`${spec.method} ${spec.path} needs an idempotency key`);
    const maxRetries = this.config.STRIPE_MAX_RETRIES;
    for (let attempt = 0; ; attempt++) {
      await this.budget.take();
      const started = performance.now();
      try {
        const result = await send();
        this.logger.info(
          { stripe: { ...describe(spec), attempt, status: result.lastResponse?.statusCode ?? 200, requestId: result.lastResponse?.requestId, objectId: result.id, ms: Math.round(performance.now() - started) } },
          'stripe request',
        );
        return result;
      } catch (error) {
        const retry = attempt < maxRetries && isRetryable(error);
        const stripeError = error as { statusCode?: number; code?: string; requestId?: string };
        this.logger.warn(
          { stripe: { ...describe(spec), attempt, status: stripeError.statusCode ?? null, code: stripeError.code ?? null, requestId: stripeError.requestId, ms: Math.round(performance.now() - started), willRetry: retry } },
          'stripe request failed',
        );
        if (!retry) throw mapStripeError(error, { mutating, idempotencyKey: spec.idempotencyKey });
        await sleep(this.backoff(attempt, retryAfterMs(error)));
      }
    }
  }

  // Exponential backoff with full jitter, capped; Stripe's Retry-After wins when it asks for longer.
  private backoff(attempt: number, retryAfter: number | undefined): number {
    const cap = 10_000;
    const exp = Math.min(cap, this.config.STRIPE_RETRY_BASE_MS * 2 ** attempt);
    const jittered = exp / 2 + Math.random() * (exp / 2);
    return Math.max(jittered, retryAfter ?? 0);
  }
}

function describe(spec: CallSpec) {
  return { method: spec.method, path: spec.path, account: spec.account ?? null, idempotencyKey: spec.idempotencyKey ?? null };
}

/** Stripe's API takes integers; refuse what does not fit exactly rather than round. */
export function toStripeAmount(amount: bigint): number {
  if (amount < 0n || amount > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`amount ${amount} cannot be sent to Stripe`);
  return Number(amount);
}
