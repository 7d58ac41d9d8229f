import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Sandbox } from '../engine/sandbox.js';
import { parseForm } from '../http/form.js';
import type { OnboardingOutcome } from '../resources/accounts.js';
import { accountLinkReturned, completeOnboardingV2 } from '../resources/accounts-v2.js';
import { type CardBehaviour, TEST_CARD_NUMBERS, TEST_PAYMENT_METHODS } from '../resources/charge-builder.js';
import { payCheckoutSession } from '../resources/checkout.js';
import { BANK_FAILURE_CODES } from '../resources/common.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;color:#1a1f36}label{display:block;margin:.6rem 0}
input[type=text]{width:100%;padding:.4rem}button{padding:.5rem 1.2rem;background:#635bff;color:#fff;border:0;border-radius:4px}.err{color:#c0123c}.note{color:#697386;font-size:.85rem}</style>
</head><body><p class="note">Stripe sandbox (test mode, offline)</p>${body}</body></html>`;
}

// The pages' hints come from the tables the sandbox acts on, so they list every number it knows.
const cardOutcome = (card: CardBehaviour) => (card.outcome === 'decline' ? `declined (${card.declineCode})` : card.immediate ? 'funds available at once' : card.dispute ? 'disputed' : 'succeeds');
const CARD_NOTE = Object.entries(TEST_CARD_NUMBERS)
  .map(([number, pm]) => `${number} ${cardOutcome(TEST_PAYMENT_METHODS[pm]!)}`)
  .join('; ');
const BANK_NOTE = ['000123456789 pays out', ...Object.entries(BANK_FAILURE_CODES).map(([number, code]) => `${number} fails ${code}`)].join('; ');

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { Location: location, 'Content-Length': 0 });
  res.end();
}

/** Hosted onboarding (`/_sandbox/onboarding/:token`): single use, expires at expires_at. */
export function onboardingPage(sb: Sandbox, req: IncomingMessage, res: ServerResponse, token: string, body: string): void {
  const link = sb.state.accountLinks.get(token);
  if (!link) return html(res, 404, page('Link not found', '<h1>This link is not valid.</h1>'));
  const expired = sb.now() >= link.obj.expires_at || link.x.used;
  if (expired) {
    if (link.x.refreshUrl) return redirect(res, link.x.refreshUrl);
    return html(res, 410, page('Link expired', '<h1>This onboarding link has expired or was already used.</h1>'));
  }
  const account = sb.state.accounts.get(link.x.account);
  if (!account) return html(res, 404, page('Account not found', '<h1>The account no longer exists.</h1>'));
  if (req.method === 'GET') {
    return html(
      res,
      200,
      page(
        'Onboarding',
        `<h1>Set up payouts for ${esc(account.obj.id)}</h1>
<form method="post">
<fieldset><legend>Outcome</legend>
<label><input type="radio" name="outcome" value="complete" checked> Complete everything</label>
<label><input type="radio" name="outcome" value="requirements_due"> Leave requirements due</label>
<label><input type="radio" name="outcome" value="pending"> Submit a document Stripe still has to verify</label>
<label><input type="radio" name="outcome" value="rejected"> Be rejected</label></fieldset>
<label>Routing number <input type="text" name="routing_number" value="110000000"></label>
<label>Account number <input type="text" name="account_number" value="000123456789"></label>
<p class="note">${BANK_NOTE}.</p>
<button type="submit">Submit</button></form>`,
      ),
    );
  }
  const form = parseForm(body);
  const outcome = String(form.outcome ?? 'complete') as OnboardingOutcome;
  if (!['complete', 'requirements_due', 'pending', 'rejected'].includes(outcome)) return html(res, 400, page('Invalid', '<p class="err">Unknown outcome.</p>'));
  link.x.used = true;
  // a v2 account also gets its v2 view updated and thin events (a v1 account: only the v1 outcome)
  completeOnboardingV2(sb, account, outcome, String(form.account_number ?? '000123456789'), String(form.routing_number ?? '110000000'));
  if (link.x.v2 && link.x.returnUrl) accountLinkReturned(sb, account, link.x.type);
  sb.flushBalanceAvailable();
  sb.onChange();
  if (link.x.returnUrl) return redirect(res, link.x.returnUrl);
  return html(res, 200, page('Done', '<h1>Onboarding submitted.</h1>'));
}

/** Hosted checkout (`/_sandbox/checkout/:id`): a buyer types a test card. */
export function checkoutPage(sb: Sandbox, req: IncomingMessage, res: ServerResponse, id: string, body: string): void {
  const row = sb.state.sessions.get(id);
  if (!row) return html(res, 404, page('Not found', '<h1>Checkout session not found.</h1>'));
  const s = row.obj;
  if (s.status === 'complete' && s.success_url) return redirect(res, s.success_url.replace('{CHECKOUT_SESSION_ID}', s.id));
  if (s.status !== 'open' || sb.now() >= s.expires_at) return html(res, 410, page('Expired', '<h1>This checkout session has expired.</h1>'));
  const form = (error: string | null) =>
    page(
      'Checkout',
      `<h1>Pay ${(s.amount_total ?? 0) / 100} ${esc((s.currency ?? '').toUpperCase())}</h1>${error ? `<p class="err">${esc(error)}</p>` : ''}
<form method="post"><label>Card number <input type="text" name="card_number" value="4242424242424242"></label>
<button type="submit">Pay</button></form>${s.cancel_url ? `<p><a href="${esc(s.cancel_url)}">Cancel and go back</a></p>` : ''}
<p class="note">${CARD_NOTE}.</p>`,
    );
  if (req.method === 'GET') return html(res, 200, form(null));
  const f = parseForm(body);
  const number = String(f.card_number ?? '').replace(/\s+/g, '');
  const pm = TEST_CARD_NUMBERS[number];
  if (!pm) return html(res, 200, form('Your card number is invalid. Use one of the test cards below.'));
  const result = payCheckoutSession(sb, row, pm);
  sb.flushBalanceAvailable();
  sb.onChange();
  // A decline keeps the buyer on the page with the message, as Stripe's Checkout does.
  if (!result.ok) return html(res, 402, form(result.message));
  if (s.success_url) return redirect(res, s.success_url.replace('{CHECKOUT_SESSION_ID}', s.id));
  return html(res, 200, page('Paid', '<h1>Payment complete.</h1>'));
}

export function dashboardPage(sb: Sandbox, res: ServerResponse, account: string): void {
  const row = sb.state.accounts.get(account);
  if (!row) return html(res, 404, page('Not found', '<h1>No such account.</h1>'));
  const b = sb.balance(account);
  const fmt = (l: Array<{ amount: number; currency: string }>) => l.map((x) => `${x.amount} ${x.currency}`).join(', ');
  html(res, 200, page('Express dashboard', `<h1>${esc(account)}</h1><p>Available: ${esc(fmt(b.available))}</p><p>Pending: ${esc(fmt(b.pending))}</p>`));
}
