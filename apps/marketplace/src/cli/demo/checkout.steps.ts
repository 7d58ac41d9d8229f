// Issue 6: a buyer checks out the seller's listing, pays on Stripe's hosted page, the order is paid, the ledger shows it.
import { randomUUID } from 'node:crypto';
import { DemoFailure, pollUntil, type DemoContext, type DemoStep } from './demo-runner.js';

const TEST_CARD = '4242424242424242';

interface Order {
  id: string;
  status: string;
  amountTotal: string;
  display: string;
  applicationFeeTotal: string | null;
  chargeId: string | null;
  sellers: { sellerId: string; fee: string; sellerShare: string }[];
}
interface Balance {
  balances: { amount: string; display: string }[];
}

const str = (ctx: DemoContext, key: string): string => {
  const value = ctx.state[key];
  if (typeof value !== 'string') throw new DemoFailure(`missing ${key} from an earlier step`);
  return value;
};

export const checkoutSteps: DemoStep[] = [
  {
    title: 'The seller lists a bowl',
    async run(ctx) {
      const res = await ctx.api.call<{ id: string; unitAmount: string; currency: string }>('POST', '/listings', {
        key: str(ctx, 'sellerKey'),
        body: { title: 'Hand-thrown bowl', unitAmount: 4_500, currency: 'USD' },
      });
      ctx.state.listingId = res.body.id;
      ctx.note(`listing ${res.body.id}: Hand-thrown bowl, ${res.body.unitAmount} minor units ${res.body.currency}`);
    },
  },
  {
    title: 'Create a buyer and their API key',
    async run(ctx) {
      const buyer = await ctx.api.call<{ id: string }>('POST', '/admin/principals', { key: str(ctx, 'adminKey'), body: { role: 'buyer', name: 'Demo Buyer', email: 'buyer@demo.test' } });
      const key = await ctx.api.call<{ key: string }>('POST', `/admin/principals/${buyer.body.id}/api-keys`, { key: str(ctx, 'adminKey'), body: { label: 'demo' } });
      ctx.state.buyerKey = key.body.key;
      ctx.note(`buyer ${buyer.body.id}`);
    },
  },
  {
    title: 'The buyer checks out two bowls (POST /checkout with an Idempotency-Key)',
    async run(ctx) {
      const res = await ctx.api.call<{ orderId: string; status: string; checkoutUrl: string; amountTotal: string }>('POST', '/checkout', {
        key: str(ctx, 'buyerKey'),
        headers: { 'idempotency-key': randomUUID() },
        // no successUrl/cancelUrl: Stripe sends the buyer to our own /checkout/success and /checkout/cancel pages
        body: { items: [{ listingId: str(ctx, 'listingId'), quantity: 2 }] },
      });
      ctx.state.orderId = res.body.orderId;
      ctx.state.checkoutUrl = res.body.checkoutUrl;
      ctx.note(`order ${res.body.orderId}, ${res.body.status}, total ${res.body.amountTotal}`);
      ctx.note(`Stripe-hosted checkout page: ${res.body.checkoutUrl}`);
    },
  },
  {
    title: `Pay on the hosted checkout page with the test card ${TEST_CARD}`,
    async run(ctx) {
      const res = await ctx.api.submitForm(str(ctx, 'checkoutUrl'), { card_number: TEST_CARD });
      const location = res.headers.get('location');
      if (res.status !== 303 || !location) throw new DemoFailure(`the checkout page answered ${res.status}, expected a 303 to the success URL`);
      ctx.state.successUrl = location;
      ctx.note(`paid; Stripe sends the browser to ${location}`);
    },
  },
  {
    title: 'Wait for the payment webhook: the order is paid',
    async run(ctx) {
      const order = await pollUntil('the order to be paid', async () => {
        const res = await ctx.api.call<Order>('GET', `/orders/${str(ctx, 'orderId')}`, { key: str(ctx, 'buyerKey') });
        return res.body.status === 'paid' ? res.body : undefined;
      });
      const split = order.sellers[0]!;
      ctx.note(`order ${order.id}: ${order.status}, ${order.display}, charge ${order.chargeId}`);
      ctx.note(`  platform fee ${split.fee}, seller's share ${split.sellerShare}`);
      ctx.state.orderDisplay = order.display;
    },
  },
  {
    title: "The buyer's landing page (GET /checkout/success) shows the order paid",
    async run(ctx) {
      // the path Stripe redirected to, on the service the demo talks to (PUBLIC_URL may name another host)
      const landing = new URL(str(ctx, 'successUrl'));
      const page = await ctx.api.call<string>('GET', `${landing.pathname}${landing.search}`, { headers: { accept: 'text/html' } });
      const html = String(page.body);
      if (!html.includes('data-status="paid"') || !html.includes(str(ctx, 'orderDisplay'))) throw new DemoFailure(`the success page does not show the order paid: ${html.slice(0, 300)}`);
      ctx.note(`${landing.pathname}?session_id=...: "${/<h1>(.*?)<\/h1>/.exec(html)?.[1] ?? ''}", total ${str(ctx, 'orderDisplay')}`);
    },
  },
  {
    title: 'Ledger balances',
    async run(ctx) {
      const admin = str(ctx, 'adminKey');
      const sellerId = str(ctx, 'sellerId');
      const show = async (label: string, account: string, seller?: string) => {
        const res = await ctx.api.call<Balance>('GET', `/admin/ledger/accounts/${account}/balance?currency=USD${seller ? `&sellerId=${seller}` : ''}`, { key: admin });
        ctx.note(`  ${label.padEnd(34)} ${res.body.balances[0]!.display}`);
      };
      await show("platform's Stripe balance (pending)", 'platform_cash_pending');
      await show("seller's Stripe balance (pending)", 'connected_cash_pending', sellerId);
      await show('platform fee revenue', 'platform_fee_revenue');
      await show('Stripe processing fees', 'stripe_processing_fees');
      await show("seller's payable (pending)", 'seller_payable_pending', sellerId);
      const entries = await ctx.api.call<{ data: { kind: string; lines: { amount: string }[] }[] }>('GET', `/admin/ledger/entries?referenceType=order&referenceId=${str(ctx, 'orderId')}`, {
        key: admin,
      });
      for (const entry of entries.body.data) {
        const sum = entry.lines.reduce((s, l) => s + BigInt(l.amount), 0n);
        if (sum !== 0n) throw new DemoFailure(`entry ${entry.kind} does not balance (${sum})`);
        ctx.note(`  entry ${entry.kind}: ${entry.lines.length} lines, sums to ${sum}`);
      }
      // the books against Stripe's own balances (GET /v1/balance per Stripe balance)
      const check = await ctx.api.call<{ matches: boolean; balances: { balance: string; currency: string; difference: { pending: string; available: string } }[] }>(
        'GET',
        `/admin/ledger/balance-check?sellerId=${sellerId}`,
        { key: admin },
      );
      if (!check.body.matches) throw new DemoFailure(`the ledger does not match Stripe: ${JSON.stringify(check.body.balances)}`);
      ctx.note(`  balance check against Stripe: matches (${check.body.balances.map((b) => `${b.balance} ${b.currency}`).join(', ')})`);
    },
  },
];
