// Issue 13: reviewed payouts. The seller asks for a payout, an admin approves, the sandbox clock
// advances, the payout is paid; a second, larger one needs a second admin.
import { randomUUID } from 'node:crypto';
import { DemoFailure, pollUntil, type DemoContext, type DemoStep } from './demo-runner.js';

interface Attempt {
  id: string;
  status: string;
  stripePayoutId: string | null;
}
interface PayoutRequest {
  id: string;
  status: string;
  display: string;
  amount: string;
  approvalsRequired: number;
  statusReason: string | null;
  attempts: Attempt[];
  approvals?: { adminId: string }[];
}
interface SellerBalance {
  currencies: { currency: string; stripe: { available: string }; ledger: { available: string }; matches: boolean; payouts: string }[];
}

const str = (ctx: DemoContext, key: string): string => {
  const value = ctx.state[key];
  if (typeof value !== 'string') throw new DemoFailure(`missing ${key} from an earlier step`);
  return value;
};

/** The sandbox's control API: SANDBOX_URL, else the one `npm start` launched (the same environment as the service: STRIPE_API_BASE, or SANDBOX_PORT). */
function sandboxUrl(): string {
  if (process.env.SANDBOX_URL) return process.env.SANDBOX_URL.replace(/\/$/, '');
  if (process.env.STRIPE_API_BASE) return process.env.STRIPE_API_BASE.replace(/\/$/, '');
  const host = !process.env.SANDBOX_HOST || process.env.SANDBOX_HOST === '0.0.0.0' ? '127.0.0.1' : process.env.SANDBOX_HOST;
  return `http://${host}:${process.env.SANDBOX_PORT ?? '12111'}`;
}

/** Moves the sandbox's clock on (POST /_sandbox/clock/advance): funds become available, payouts arrive. */
async function advanceDays(ctx: DemoContext, days: number): Promise<void> {
  await ctx.api.call('POST', `${sandboxUrl()}/_sandbox/clock/advance`, { body: { seconds: days * 86_400 } });
  ctx.note(`the sandbox clock moved on ${days} days`);
}

async function myRequest(ctx: DemoContext, key: string, id: string): Promise<PayoutRequest | undefined> {
  const list = await ctx.api.call<{ data: PayoutRequest[] }>('GET', '/sellers/me/payouts', { key });
  return list.body.data.find((r) => r.id === id);
}

/** Waits until the ledger and Stripe agree on the seller's available USD, and returns it. */
async function availableUsd(ctx: DemoContext, key: string, atLeast: bigint): Promise<bigint> {
  const line = await pollUntil("the seller's funds available, Stripe and the ledger agreeing", async () => {
    const b = await ctx.api.call<SellerBalance>('GET', '/sellers/me/balance', { key });
    const usd = b.body.currencies.find((c) => c.currency === 'USD');
    return usd?.matches && BigInt(usd.stripe.available) >= atLeast ? usd : undefined;
  });
  ctx.note(`GET /sellers/me/balance: available ${line.stripe.available} at Stripe, ${line.ledger.available} in the ledger; ${line.payouts}`);
  return BigInt(line.stripe.available);
}

/** The request approved by `admins` in turn until it is approved, then paid once the clock passes its arrival. */
async function approveAndPay(ctx: DemoContext, sellerKey: string, request: PayoutRequest, admins: string[]): Promise<void> {
  for (const [i, admin] of admins.entries()) {
    const res = await ctx.api.call<PayoutRequest>('POST', `/admin/payouts/${request.id}/approve`, { key: admin, headers: { 'idempotency-key': randomUUID() } });
    ctx.note(`${admins.length > 1 ? `admin ${i + 1}` : 'an admin'} approves: ${res.body.status} (${res.body.approvals?.length ?? 0} of ${res.body.approvalsRequired} approvals)`);
  }
  const made = await pollUntil('the payout made at Stripe', async () => {
    const r = await myRequest(ctx, sellerKey, request.id);
    if (r && ['frozen', 'failed', 'rejected'].includes(r.status)) throw new DemoFailure(`the request is ${r.status}: ${r.statusReason}`);
    return r?.attempts[0]?.stripePayoutId ? r : undefined;
  });
  ctx.note(`the worker made payout ${made.attempts[0]!.stripePayoutId} (key payout:${made.attempts[0]!.id}); the request is ${made.status}`);
  await advanceDays(ctx, 3);
  const paid = await pollUntil('payout.paid', async () => {
    const r = await myRequest(ctx, sellerKey, request.id);
    return r?.status === 'paid' ? r : undefined;
  });
  ctx.note(`payout.paid: the request is ${paid.status}, ${paid.display}`);
}

export const payoutsSteps: DemoStep[] = [
  {
    title: 'The seller asks for a payout of their available balance (POST /sellers/me/payouts); an admin reviews it',
    async run(ctx) {
      const seller = str(ctx, 'sellerKey');
      await advanceDays(ctx, 3);
      // the refund's transfer reversals waited for the sellers' funds: they are taken first
      await pollUntil("the refund's transfer reversals made", async () => {
        const o = await ctx.api.call<{ transferReversals: { status: string; display: string }[] }>('GET', `/orders/${str(ctx, 'cartOrderId')}`, { key: str(ctx, 'adminKey') });
        return o.body.transferReversals.every((r) => r.status === 'succeeded') ? o.body : undefined;
      });
      ctx.note("the refund's transfer reversals are made: the sellers' balances are net of them");
      const available = await availableUsd(ctx, seller, 1n);
      const asked = await ctx.api.call<PayoutRequest>('POST', '/sellers/me/payouts', { key: seller, headers: { 'idempotency-key': randomUUID() }, body: { currency: 'usd' } });
      ctx.note(`request ${asked.body.id}: ${asked.body.display}, ${asked.body.status}, ${asked.body.approvalsRequired} approval(s) needed`);
      if (BigInt(asked.body.amount) !== available) throw new DemoFailure(`the request is for ${asked.body.amount}, the available balance is ${available}`);
      const queue = await ctx.api.call<{ data: Array<{ id: string; riskFlags: { code: string; reason: string }[] }> }>('GET', '/admin/payouts?status=pending_review', { key: str(ctx, 'adminKey') });
      const inQueue = queue.body.data.find((r) => r.id === asked.body.id);
      if (!inQueue) throw new DemoFailure('the request is not in the review queue');
      for (const f of inQueue.riskFlags) ctx.note(`  risk flag ${f.code}: ${f.reason}`);
      ctx.state.firstPayout = asked.body;
    },
  },
  {
    title: 'An admin approves; the worker makes one Stripe payout; the sandbox clock advances and it is paid',
    async run(ctx) {
      await approveAndPay(ctx, str(ctx, 'sellerKey'), ctx.state.firstPayout as PayoutRequest, [str(ctx, 'adminKey')]);
    },
  },
  {
    title: 'A larger sale, and its payout above the two-person threshold needs a second admin',
    async run(ctx) {
      const admin = str(ctx, 'adminKey');
      const seller = str(ctx, 'sellerKey');
      const listing = await ctx.api.call<{ id: string }>('POST', '/listings', { key: seller, body: { title: 'Stoneware dinner set', unitAmount: 250_000, currency: 'USD' } });
      const order = await ctx.api.call<{ orderId: string; checkoutUrl: string }>('POST', '/checkout', {
        key: str(ctx, 'buyerKey'),
        headers: { 'idempotency-key': randomUUID() },
        body: { items: [{ listingId: listing.body.id, quantity: 1 }], successUrl: `${ctx.baseUrl}/health?paid={CHECKOUT_SESSION_ID}`, cancelUrl: `${ctx.baseUrl}/health` },
      });
      const paid = await ctx.api.submitForm(order.body.checkoutUrl, { card_number: '4242424242424242' });
      if (paid.status !== 303) throw new DemoFailure(`the checkout page answered ${paid.status}`);
      await pollUntil('the order to be paid', async () => ((await ctx.api.call<{ status: string }>('GET', `/orders/${order.body.orderId}`, { key: admin })).body.status === 'paid' ? true : undefined));
      await advanceDays(ctx, 3);
      await availableUsd(ctx, seller, 100_001n);
      const asked = await ctx.api.call<PayoutRequest>('POST', '/sellers/me/payouts', { key: seller, headers: { 'idempotency-key': randomUUID() }, body: { currency: 'usd' } });
      ctx.note(`request ${asked.body.id}: ${asked.body.display}, ${asked.body.status}, ${asked.body.approvalsRequired} approvals needed`);
      if (asked.body.approvalsRequired !== 2) throw new DemoFailure('a payout above PAYOUT_TWO_PERSON_THRESHOLD should need two admins');
      const second = await ctx.api.call<{ id: string }>('POST', '/admin/principals', { key: admin, body: { role: 'admin', name: 'Second Admin' } });
      const secondKey = await ctx.api.call<{ key: string }>('POST', `/admin/principals/${second.body.id}/api-keys`, { key: admin, body: { label: 'demo' } });
      const first = await ctx.api.call<PayoutRequest>('POST', `/admin/payouts/${asked.body.id}/approve`, { key: admin, headers: { 'idempotency-key': randomUUID() } });
      ctx.note(`the first admin approves: still ${first.body.status}; a second approval must come from someone else`);
      const twice = await ctx.api.call<{ error: { code: string } }>('POST', `/admin/payouts/${asked.body.id}/approve`, { key: admin, headers: { 'idempotency-key': randomUUID() }, expect: [409] });
      ctx.note(`the same admin again: 409 ${twice.body.error.code}`);
      await approveAndPay(ctx, seller, asked.body, [secondKey.body.key]); // the second admin's approval meets the rule
      const audit = await ctx.api.call<{ data: Array<{ action: string; actorRole: string }> }>('GET', `/admin/audit?subject=payout_request:${asked.body.id}`, { key: admin });
      ctx.note(`audit log: ${audit.body.data.map((e) => `${e.action} (${e.actorRole})`).join(', ')}`);
    },
  },
];
