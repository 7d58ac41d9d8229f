// Issue 11: a two-seller cart is paid with one charge, held until the buyer confirms receipt, and each seller is paid their share by a transfer.
import { randomUUID } from 'node:crypto';
import { DemoFailure, pollUntil, type DemoContext, type DemoStep } from './demo-runner.js';

interface Transfer {
  id: string;
  status: string;
  sellerId: string;
  amount: string;
  display: string;
  stripeFeeShare: string;
  stripeTransferId: string | null;
  availableOn: string | null;
  held: boolean;
  hold: { holdUntil: string; fulfilledBy: string | null; releaseReason: string | null; releasedByRole: string | null } | null;
}
interface TransferReversal {
  kind: string;
  status: string;
  sellerId: string;
  amount: string;
  display: string;
  failureCode: string | null;
}
interface Order {
  id: string;
  status: string;
  display: string;
  chargeType: string;
  holdDays: number;
  sellers: { sellerId: string; subtotal: string; fee: string; sellerShare: string }[];
  transfers: Transfer[];
  transferReversals: TransferReversal[];
}

const str = (ctx: DemoContext, key: string): string => {
  const value = ctx.state[key];
  if (typeof value !== 'string') throw new DemoFailure(`missing ${key} from an earlier step`);
  return value;
};

export const transfersSteps: DemoStep[] = [
  {
    title: 'A second seller joins and completes onboarding',
    async run(ctx) {
      const admin = str(ctx, 'adminKey');
      const seller = await ctx.api.call<{ id: string }>('POST', '/admin/principals', { key: admin, body: { role: 'seller', name: 'Demo Lamps', email: 'owner@demo-lamps.test' } });
      const key = await ctx.api.call<{ key: string }>('POST', `/admin/principals/${seller.body.id}/api-keys`, { key: admin, body: { label: 'demo' } });
      ctx.state.secondSellerId = seller.body.id;
      ctx.state.secondSellerKey = key.body.key;
      await ctx.api.call('POST', '/sellers/me/connected-account', { key: key.body.key, body: { country: 'US', businessName: 'Demo Lamps' } });
      const link = await ctx.api.call<{ url: string }>('POST', '/sellers/me/onboarding-link', { key: key.body.key });
      const res = await ctx.api.submitForm(link.body.url, { outcome: 'complete', account_number: '000123456789', routing_number: '110000000' });
      if (res.status !== 303) throw new DemoFailure(`the onboarding form answered ${res.status}`);
      await pollUntil('the second seller to be active', async () => {
        const me = await ctx.api.call<{ status: string }>('GET', '/sellers/me', { key: key.body.key });
        return me.body.status === 'active' ? true : undefined;
      });
      const listing = await ctx.api.call<{ id: string }>('POST', '/listings', { key: key.body.key, body: { title: 'Brass lamp', unitAmount: 3_000, currency: 'USD' } });
      ctx.state.lampListingId = listing.body.id;
      ctx.note(`seller ${seller.body.id} is active and lists a brass lamp (3000 minor units USD)`);
    },
  },
  {
    title: 'The buyer checks out a bowl and a lamp (two sellers, one charge, the funds held 7 days) and pays',
    async run(ctx) {
      const res = await ctx.api.call<{ orderId: string; checkoutUrl: string; amountTotal: string }>('POST', '/checkout', {
        key: str(ctx, 'buyerKey'),
        headers: { 'idempotency-key': randomUUID() },
        body: {
          items: [
            { listingId: str(ctx, 'listingId'), quantity: 1 },
            { listingId: str(ctx, 'lampListingId'), quantity: 1 },
          ],
          successUrl: `${ctx.baseUrl}/health?paid={CHECKOUT_SESSION_ID}`,
          cancelUrl: `${ctx.baseUrl}/health`,
          holdDays: 7,
        },
      });
      ctx.state.cartOrderId = res.body.orderId;
      const paid = await ctx.api.submitForm(res.body.checkoutUrl, { card_number: '4242424242424242' });
      if (paid.status !== 303) throw new DemoFailure(`the checkout page answered ${paid.status}`);
      const order = await pollUntil('the two-seller order to be paid', async () => {
        const o = await ctx.api.call<Order>('GET', `/orders/${res.body.orderId}`, { key: str(ctx, 'adminKey') });
        return o.body.status === 'paid' ? o.body : undefined;
      });
      ctx.note(`order ${order.id}: ${order.status}, ${order.display}, ${order.chargeType}, held ${order.holdDays} days`);
      for (const s of order.sellers) ctx.note(`  seller ${s.sellerId}: platform fee ${s.fee}, share ${s.sellerShare}`);
    },
  },
  {
    title: "The sellers' funds are held: one seller marks their part fulfilled, then the buyer confirms receipt and releases them",
    async run(ctx) {
      const orderId = str(ctx, 'cartOrderId');
      const get = async (key: string) => (await ctx.api.call<Order>('GET', `/orders/${orderId}`, { key })).body;
      // the worker runs, but a held transfer is not claimed before its release
      await new Promise((r) => setTimeout(r, 1_500));
      const held = await get(str(ctx, 'adminKey'));
      if (held.transfers.length !== 2 || held.transfers.some((t) => !t.held || t.stripeTransferId)) throw new DemoFailure('the two transfers should be held, not made, before release');
      for (const t of held.transfers) ctx.note(`  seller ${t.sellerId}: ${t.display} held until ${t.hold?.holdUntil}`);
      const fulfilled = await ctx.api.call<Order>('POST', `/orders/${orderId}/release`, { key: str(ctx, 'sellerKey') });
      const own = fulfilled.body.transfers[0]!;
      ctx.note(`the first seller marks their part fulfilled: still held (${own.held}), released on its own at ${own.hold?.holdUntil} unless the buyer confirms sooner`);
      const released = await ctx.api.call<Order>('POST', `/orders/${orderId}/release`, { key: str(ctx, 'buyerKey') });
      ctx.note(`the buyer confirms receipt: ${released.body.transfers.map((t) => `${t.display} released (${t.hold?.releaseReason})`).join(', ')}`);
    },
  },
  {
    title: "Both sellers' transfers are made (source_transaction = the charge, transfer_group = the order)",
    async run(ctx) {
      const order = await pollUntil('both transfers to succeed', async () => {
        const o = await ctx.api.call<Order>('GET', `/orders/${str(ctx, 'cartOrderId')}`, { key: str(ctx, 'adminKey') });
        return o.body.transfers.length === 2 && o.body.transfers.every((t) => t.status === 'succeeded') ? o.body : undefined;
      });
      for (const t of order.transfers) {
        ctx.note(`  ${t.stripeTransferId} to seller ${t.sellerId}: ${t.display} (Stripe fee borne ${t.stripeFeeShare}), available ${t.availableOn}`);
      }
      const mine = await ctx.api.call<{ data: Transfer[] }>('GET', '/sellers/me/transfers', { key: str(ctx, 'secondSellerKey') });
      if (mine.body.data.length !== 1) throw new DemoFailure(`the second seller sees ${mine.body.data.length} transfers, expected their one`);
      ctx.note(`the second seller sees their own: ${mine.body.data[0]!.display}, ${mine.body.data[0]!.status}`);
    },
  },
  {
    title: "The lamp seller's part is refunded: the platform refunds the charge, each seller's transfer is reversed in proportion",
    async run(ctx) {
      const admin = str(ctx, 'adminKey');
      const orderId = str(ctx, 'cartOrderId');
      const before = await ctx.api.call<Order>('GET', `/orders/${orderId}`, { key: admin });
      const lamp = before.body.sellers.find((s) => s.sellerId === str(ctx, 'secondSellerId'));
      if (!lamp) throw new DemoFailure('the lamp seller is not on the order');
      const refund = await ctx.api.call<{ id: string; status: string; amount: string }>('POST', `/orders/${orderId}/refunds`, {
        key: admin,
        headers: { 'idempotency-key': randomUUID() },
        body: { amount: lamp.subtotal, reason: 'requested_by_customer' },
      });
      ctx.note(`refund ${refund.body.id}: ${refund.body.amount} (the lamp's lines), ${refund.body.status}`);
      const order = await pollUntil("the sellers' parts of the refund to be due", async () => {
        const o = await ctx.api.call<Order>('GET', `/orders/${orderId}`, { key: admin });
        return o.body.transferReversals.length > 0 && o.body.transferReversals.every((r) => r.status !== 'planned') ? o.body : undefined;
      });
      ctx.note(`order ${order.id}: ${order.status}`);
      for (const r of order.transferReversals) {
        const why = r.failureCode === 'balance_insufficient' && r.status === 'pending' ? " (waits for the seller's pending funds: Stripe reverses only within the available balance)" : '';
        ctx.note(`  seller ${r.sellerId}: ${r.kind} of ${r.display}, ${r.status}${why}`);
      }
    },
  },
];
