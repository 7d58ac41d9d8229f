// Issue 5: a seller onboards through Stripe-hosted onboarding and becomes active (issue 12: an
// Accounts v2 account by default, made active by thin events from the event destination).
import { DemoFailure, issueAdminKey, pollUntil, type DemoContext, type DemoStep } from './demo-runner.js';

const TEST_BANK_ACCOUNT = '000123456789';

interface Seller {
  sellerId: string;
  stripeAccountId: string | null;
  status: string;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  capabilities: { cardPayments: string | null; transfers: string | null };
  requirements: { currentlyDue: string[] };
  lastSyncedFrom: string | null;
}

const str = (ctx: DemoContext, key: string): string => {
  const value = ctx.state[key];
  if (typeof value !== 'string') throw new DemoFailure(`missing ${key} from an earlier step`);
  return value;
};

// A 401 here means the key lives in another database than the service's: say how to line them up.
const unknownEnvKey = (baseUrl: string) =>
  `the service at ${baseUrl} does not know ADMIN_API_KEY (revoked, or issued against another database). ` +
  'Set ADMIN_API_KEY to a live admin key of that service, or unset it and run the demo with the same DATABASE_URL (or DATA_DIR) as the service, so the admin-key CLI issues one there.';
const keyInOtherDatabase = (baseUrl: string) =>
  `the admin-key CLI issued its key into another database than the service at ${baseUrl} uses. ` +
  'Run the demo with the same DATABASE_URL (or DATA_DIR) as the service, or set ADMIN_API_KEY to an admin key of that service (`npm run admin:key` with its DATABASE_URL prints one).';

export const onboardingSteps: DemoStep[] = [
  {
    title: 'Check the service is up',
    async run(ctx) {
      await ctx.api.call('GET', '/health/ready');
      ctx.note(`${ctx.baseUrl}/health/ready answered 200`);
    },
  },
  {
    title: 'Get an admin API key',
    async run(ctx) {
      const fromEnv = process.env.ADMIN_API_KEY;
      ctx.state.adminKey = fromEnv || (await issueAdminKey());
      ctx.note(fromEnv ? 'using ADMIN_API_KEY' : 'issued by `npm run admin:key` (dist/apps/marketplace/src/cli/admin-key.js)');
      const me = await ctx.api.call<{ id: string; role: string }>('GET', '/me', { key: str(ctx, 'adminKey'), expect: [200, 401] });
      if (me.status === 401) throw new DemoFailure(`GET ${ctx.baseUrl}/me answered 401: ${fromEnv ? unknownEnvKey(ctx.baseUrl) : keyInOtherDatabase(ctx.baseUrl)}`);
      if (me.body.role !== 'admin') throw new DemoFailure(`the key belongs to a ${me.body.role}, not an admin`);
      ctx.note(`admin principal ${me.body.id}`);
    },
  },
  {
    title: 'Create a seller and their API key',
    async run(ctx) {
      const name = `Demo Ceramics ${new Date().toISOString().slice(0, 19)}`;
      const seller = await ctx.api.call<{ id: string }>('POST', '/admin/principals', { key: str(ctx, 'adminKey'), body: { role: 'seller', name, email: 'owner@demo-ceramics.test' } });
      const key = await ctx.api.call<{ key: string }>('POST', `/admin/principals/${seller.body.id}/api-keys`, { key: str(ctx, 'adminKey'), body: { label: 'demo' } });
      ctx.state.sellerId = seller.body.id;
      ctx.state.sellerKey = key.body.key;
      ctx.note(`seller "${name}" ${seller.body.id}, key ${key.body.key.slice(0, 12)}...`);
    },
  },
  {
    title: "Create the seller's Stripe connected account",
    async run(ctx) {
      const res = await ctx.api.call<Seller>('POST', '/sellers/me/connected-account', { key: str(ctx, 'sellerKey'), body: { country: 'US', businessName: 'Demo Ceramics' } });
      if (!res.body.stripeAccountId) throw new DemoFailure('no stripeAccountId in the answer');
      ctx.state.stripeAccountId = res.body.stripeAccountId;
      ctx.note(`connected account ${res.body.stripeAccountId}, status ${res.body.status}`);
    },
  },
  {
    title: 'Open the Stripe-hosted onboarding link',
    async run(ctx) {
      const link = await ctx.api.call<{ url: string; expiresAt: string }>('POST', '/sellers/me/onboarding-link', { key: str(ctx, 'sellerKey') });
      const page = await fetch(link.body.url);
      if (page.status !== 200) throw new DemoFailure(`the onboarding page answered ${page.status}`);
      ctx.state.onboardingUrl = link.body.url;
      ctx.note(`${link.body.url} (expires ${link.body.expiresAt}) opens the onboarding form`);
    },
  },
  {
    title: `Complete onboarding in the sandbox (test bank account ${TEST_BANK_ACCOUNT})`,
    async run(ctx) {
      const res = await ctx.api.submitForm(str(ctx, 'onboardingUrl'), { outcome: 'complete', account_number: TEST_BANK_ACCOUNT, routing_number: '110000000' });
      const location = res.headers.get('location');
      if (res.status !== 303 || !location) throw new DemoFailure(`submitting the form answered ${res.status}, expected a 303 to our return URL`);
      ctx.state.returnUrl = location;
      ctx.note(`Stripe sends the browser back to ${location.replace(/token=[^&]+/, 'token=...')}`);
    },
  },
  {
    title: 'Follow the redirect to /onboarding/return',
    async run(ctx) {
      const res = await ctx.api.call<{ status: string; currentlyDue: string[] }>('GET', str(ctx, 'returnUrl'));
      ctx.note(`the return page read the account from Stripe: status ${res.body.status}`);
      const page = await ctx.api.call('GET', str(ctx, 'returnUrl'), { headers: { accept: 'text/html' } });
      if (!String(page.body).includes('<h1>')) throw new DemoFailure('the return page is not HTML for a person');
    },
  },
  {
    title: "Wait for Stripe's event about the account (a thin event with Accounts v2, account.updated with v1)",
    async run(ctx) {
      const account = str(ctx, 'stripeAccountId');
      // Accounts v2 (the default) announce a capability turning active with a thin event to the event destination
      const thin = ['v2.core.account[configuration.recipient].capability_status_updated', 'v2.core.account[configuration.merchant].capability_status_updated'];
      const key = str(ctx, 'adminKey');
      const event = await pollUntil('an event about the account to be processed', async () => {
        // a v2 account's thin events (v2.core.account.created is stored at its creation) are what
        // says it is active; its v1 account.updated, sent beside them since its creation, is not
        const all = await ctx.api.call<{ data: Array<{ type: string }> }>('GET', `/admin/webhook-events?account=${account}&limit=100`, { key });
        const types = all.body.data.some((e) => e.type.startsWith('v2.')) ? thin : ['account.updated'];
        for (const type of types) {
          const res = await ctx.api.call<{ data: Array<{ id: string; type: string; status: string }> }>('GET', `/admin/webhook-events?type=${encodeURIComponent(type)}&account=${account}`, { key });
          const processed = res.body.data.find((e) => e.status === 'processed');
          if (processed) return processed;
        }
        return undefined;
      });
      ctx.note(`event ${event.id} (${event.type}) processed`);
    },
  },
  {
    title: 'The seller is active',
    async run(ctx) {
      const seller = await pollUntil('the seller to be active', async () => {
        const res = await ctx.api.call<Seller>('GET', '/sellers/me', { key: str(ctx, 'sellerKey') });
        return res.body.status === 'active' ? res.body : undefined;
      });
      ctx.note(`seller ${seller.sellerId}`);
      ctx.note(`  status            ${seller.status}`);
      ctx.note(`  stripe account    ${seller.stripeAccountId}`);
      ctx.note(`  charges/payouts   ${seller.chargesEnabled ? 'enabled' : 'disabled'} / ${seller.payoutsEnabled ? 'enabled' : 'disabled'}`);
      ctx.note(`  capabilities      card_payments ${seller.capabilities.cardPayments ?? 'not requested (a v2 recipient)'}, transfers ${seller.capabilities.transfers}`);
      ctx.note(`  currently due     ${seller.requirements.currentlyDue.join(', ') || 'nothing'}`);
      ctx.note(`  last synced from  ${seller.lastSyncedFrom}`);
    },
  },
];
