import { ApiProperty } from '@nestjs/swagger';
import { ORDER_STATUSES, type OrderStatus } from '../orders/order-status.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** What the buyer's pages show of an order: no buyer, seller or Stripe details beyond its status and total. */
export class CheckoutResultLine {
  @ApiProperty() title: string;
  @ApiProperty() quantity: number;
}

/** What the buyer's success page shows (also its JSON answer, for a client that asks for JSON). */
export class CheckoutResultView {
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status: OrderStatus;
  @ApiProperty({ description: "The order's total, formatted for people, e.g. $70.00" }) display: string;
  @ApiProperty({ type: [CheckoutResultLine] }) lines: CheckoutResultLine[];
}

const HEADLINE: Record<OrderStatus, string> = {
  created: 'We are confirming your payment.',
  awaiting_payment: 'We are confirming your payment.',
  paid: 'Thank you: your payment went through.',
  partially_refunded: 'This order was paid and part of it refunded.',
  refunded: 'This order was paid and refunded.',
  disputed: 'This payment is disputed.',
  failed: 'The payment did not go through.',
  expired: 'This checkout expired before it was paid.',
};

// Stripe sends the browser here before its webhook reaches us: until then the page reloads itself.
const CONFIRMING: readonly OrderStatus[] = ['created', 'awaiting_payment'];

function page(title: string, body: string, head = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>${head}
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;color:#1a1f36}.status{font-weight:600}.amount{font-size:1.4rem}</style></head><body>
${body}</body></html>`;
}

/** GET /checkout/success: the order a Checkout Session paid for. */
export function renderCheckoutSuccessPage(view: CheckoutResultView): string {
  const items = view.lines.map((l) => `<li>${esc(l.title)} &times; ${l.quantity}</li>`).join('');
  const confirming = CONFIRMING.includes(view.status);
  return page(
    `Order ${view.status}`,
    `<h1>${esc(HEADLINE[view.status])}</h1>
<p class="amount">Total: <span data-amount>${esc(view.display)}</span></p>
<p>Status: <span class="status" data-status="${esc(view.status)}">${esc(view.status)}</span>${confirming ? ' (this page refreshes until Stripe confirms)' : ''}</p>
<ul>${items}</ul>
<p>Order reference: <code>${esc(view.orderId)}</code></p>`,
    confirming ? '<meta http-equiv="refresh" content="3">' : '',
  );
}

/** GET /checkout/success with a session we have no order for (or none at all). */
export function renderCheckoutNotFoundPage(sessionId: string | null): string {
  return page(
    'Checkout not found',
    sessionId
      ? `<h1>We could not find this checkout.</h1><p>No order belongs to the checkout session <code>${esc(sessionId)}</code>.</p>`
      : '<h1>We could not find this checkout.</h1><p>This page expects the <code>session_id</code> Stripe adds when it sends you back.</p>',
  );
}

/** GET /checkout/cancel: the buyer left Stripe's page without paying. */
export function renderCheckoutCancelPage(): string {
  return page('Checkout cancelled', '<h1>Checkout cancelled.</h1><p>You were not charged. Your order stays unpaid; go back to the shop to check out again.</p>');
}

/** Where POST /checkout sends the buyer when the client names no success or cancel URL. */
export function defaultCheckoutReturnUrls(publicUrl: string): { successUrl: string; cancelUrl: string } {
  return { successUrl: `${publicUrl}/checkout/success?session_id={CHECKOUT_SESSION_ID}`, cancelUrl: `${publicUrl}/checkout/cancel` };
}
