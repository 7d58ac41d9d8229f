// The READMEs list every test card and bank account number the sandbox acts on, and the hosted
// pages' hints do too; "Try it in a browser" names the routes that exist.
import fs from 'node:fs';
import path from 'node:path';
import { TEST_CARD_NUMBERS, TEST_PAYMENT_METHODS } from '../apps/stripe-sandbox/src/resources/charge-builder.js';
import { BANK_FAILURE_CODES } from '../apps/stripe-sandbox/src/resources/common.js';
import { ROOT } from './support/process.js';
import { sdk, startSandboxPlain } from './support/stripe-sandbox-harness.js';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const sandboxReadme = fs.readFileSync(path.join(ROOT, 'apps/stripe-sandbox/README.md'), 'utf8');
const tryIt = readme.slice(readme.indexOf('## Try it in a browser'), readme.indexOf('\n## ', readme.indexOf('## Try it in a browser') + 1));
const rowOf = (doc: string, first: string) => doc.split('\n').find((line) => line.startsWith(`| ${first} |`));

describe('test cards and bank accounts in the READMEs', () => {
  it.each(Object.entries(TEST_CARD_NUMBERS))('card %s (%s) has a row in both', (number, pm) => {
    expect(rowOf(sandboxReadme, number)).toContain(`\`${pm}\``);
    expect(rowOf(tryIt, number)).toBeDefined();
    const card = TEST_PAYMENT_METHODS[pm]!;
    if (card.declineCode) expect([rowOf(sandboxReadme, number), rowOf(tryIt, number)]).toEqual([expect.stringContaining(card.declineCode), expect.stringContaining(card.declineCode)]);
  });

  it('every payment method the sandbox knows is in its README', () => {
    expect(Object.keys(TEST_PAYMENT_METHODS).filter((pm) => !sandboxReadme.includes(`\`${pm}\``))).toEqual([]);
  });

  it.each([['000123456789', 'paid'], ...Object.entries(BANK_FAILURE_CODES)])('bank account %s (%s) has a row in both', (number, outcome) => {
    expect(rowOf(sandboxReadme, number)).toContain(outcome);
    expect(rowOf(tryIt, number)).toContain(outcome);
  });
});

describe('"Try it in a browser"', () => {
  // no sudo, no <placeholder>: test/docs.e2e-spec.ts holds that for every shell block
  it('has its commands in shell blocks and names where the buyer lands', () => {
    expect([...tryIt.matchAll(/```bash\n/g)].length).toBeGreaterThanOrEqual(2);
    expect(tryIt).toContain('/checkout/success?session_id=');
  });

  it('names the routes that exist: onboarding link, checkout, the success and cancel pages', () => {
    for (const route of ['/sellers/me/onboarding-link', '/sellers/me/connected-account', '/listings', '/checkout', '/checkout/cancel', '/admin/principals']) expect(tryIt).toContain(route);
  });
});

describe("the sandbox's hosted pages", () => {
  it('list every test card (checkout) and bank account number (onboarding) they act on', async () => {
    const sandbox = await startSandboxPlain();
    try {
      const stripe = sdk(sandbox, 'sk_test_pages_notes');
      const session = await stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [{ price_data: { currency: 'usd', unit_amount: 1000, product_data: { name: 'Item' } }, quantity: 1 }],
        success_url: 'http://app.test/ok',
      });
      const checkoutPage = await (await fetch(session.url!)).text();
      for (const number of Object.keys(TEST_CARD_NUMBERS)) expect(checkoutPage).toContain(number);
      const account = await stripe.accounts.create({
        controller: { fees: { payer: 'application' }, losses: { payments: 'application' }, stripe_dashboard: { type: 'express' } },
        capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
        country: 'US',
      });
      const link = await stripe.accountLinks.create({ account: account.id, type: 'account_onboarding', refresh_url: 'http://app.test/r', return_url: 'http://app.test/ok' });
      const onboardingPage = await (await fetch(link.url)).text();
      for (const [number, code] of Object.entries(BANK_FAILURE_CODES)) expect(onboardingPage).toContain(`${number} fails ${code}`);
      expect(onboardingPage).toContain('000123456789 pays out');
    } finally {
      await sandbox.close();
    }
  });
});
