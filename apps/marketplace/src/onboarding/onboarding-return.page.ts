import type { OnboardingReturnResponse } from './seller.mapper.js';
import type { SellerStatus } from './seller-status.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const HEADLINE: Record<SellerStatus, string> = {
  active: 'You are all set: you can sell and get paid.',
  pending: 'Onboarding is not finished yet.',
  restricted: 'A few things are still needed before you can get paid.',
  rejected: 'Stripe could not accept this account.',
  disconnected: 'This account is no longer connected to the marketplace.',
};

/** The page a person sees when Stripe's onboarding sends them back to us. */
export function renderOnboardingReturnPage(view: OnboardingReturnResponse): string {
  const due = [...new Set([...view.currentlyDue, ...view.pastDue])];
  const list = due.length ? `<p>Still needed:</p><ul>${due.map((d) => `<li><code>${esc(d)}</code></li>`).join('')}</ul>` : '';
  const deadline = view.currentDeadline ? `<p>Deadline: ${esc(view.currentDeadline)}</p>` : '';
  const reason = view.disabledReason ? `<p>Reason: <code>${esc(view.disabledReason)}</code></p>` : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>Seller onboarding: ${esc(view.status)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;color:#1a1f36}.status{font-weight:600}</style></head><body>
<h1>${esc(HEADLINE[view.status])}</h1>
<p>Status: <span class="status" data-status="${esc(view.status)}">${esc(view.status)}</span></p>
<p>Charges ${view.chargesEnabled ? 'enabled' : 'not enabled'}, payouts ${view.payoutsEnabled ? 'enabled' : 'not enabled'}.</p>
${list}${deadline}${reason}</body></html>`;
}
