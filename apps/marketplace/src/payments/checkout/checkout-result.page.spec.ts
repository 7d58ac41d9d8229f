import { defaultCheckoutReturnUrls, renderCheckoutCancelPage, renderCheckoutNotFoundPage, renderCheckoutSuccessPage } from './checkout-result.page.js';

const view = { orderId: '0f9c2f0e-7f4c-4d3b-9a59-1c4a8f6f2b10', status: 'paid' as const, display: 'USD 90.00', lines: [{ title: 'Bowl <i>&</i> "Cup"', quantity: 2 }] };

describe('checkout result pages', () => {
  it('shows the total, the status and the items, escaped', () => {
    const html = renderCheckoutSuccessPage(view);
    expect(html).toContain('Total: <span data-amount>USD 90.00</span>');
    expect(html).toContain('data-status="paid"');
    expect(html).toContain('Bowl &#60;i&#62;&#38;&#60;/i&#62; &#34;Cup&#34; &times; 2');
    expect(html).not.toContain('<i>');
    expect(html).not.toContain('http-equiv="refresh"');
  });

  it('reloads itself while the payment is being confirmed, and only then', () => {
    for (const status of ['created', 'awaiting_payment'] as const) expect(renderCheckoutSuccessPage({ ...view, status })).toContain('<meta http-equiv="refresh" content="3">');
    for (const status of ['paid', 'failed', 'expired', 'refunded'] as const) expect(renderCheckoutSuccessPage({ ...view, status })).not.toContain('http-equiv');
  });

  it('escapes the session id of an unknown checkout', () => {
    expect(renderCheckoutNotFoundPage('"><img src=x onerror=alert(1)>')).toContain('&#34;&#62;&#60;img src=x onerror=alert(1)&#62;');
    expect(renderCheckoutNotFoundPage(null)).toContain('session_id');
    expect(renderCheckoutCancelPage()).toContain('You were not charged.');
  });

  it('defaults to our own pages, with the placeholder Stripe fills in', () => {
    expect(defaultCheckoutReturnUrls('https://market.example')).toEqual({
      successUrl: 'https://market.example/checkout/success?session_id={CHECKOUT_SESSION_ID}',
      cancelUrl: 'https://market.example/checkout/cancel',
    });
  });
});
