// The buyer's own pages after Stripe Checkout: GET /checkout/success?session_id=... and GET /checkout/cancel,
// the default success_url and cancel_url of POST /checkout.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, payOnHostedPage, waitForOrder } from './support/checkout.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let seller: ActiveSeller;
let buyer: PrincipalWithKey;

beforeAll(async () => {
  t = await startTestApp();
  seller = await createActiveSeller(t, 'Pages Pottery');
  buyer = await createPrincipal(t, 'buyer');
});
afterAll(async () => {
  await t?.close();
});

const port = () => new URL(t.baseUrl).port;

describe('buyer pages after Stripe Checkout', () => {
  it('POST /checkout without URLs sends the buyer to our pages; the success page shows the order, its total and status, escaped', async () => {
    const listing = await createListing(t, seller, { unitAmount: 4_500, title: '<b>Bowl</b> & "Cup"' });
    const res = await t.http
      .post('/checkout')
      .set(bearer(buyer.key))
      .set('Idempotency-Key', randomUUID())
      .send({ items: [{ listingId: listing, quantity: 2 }] })
      .expect(201);
    const orderId = res.body.orderId as string;
    const [session] = (await t.stripe.checkout.sessions.list({ limit: 100 })).data.filter((s) => s.metadata?.order_id === orderId);
    expect(session).toMatchObject({
      success_url: `http://localhost:${port()}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `http://localhost:${port()}/checkout/cancel`,
    });

    // before paying (or before the webhook): the page says so and reloads itself
    const waiting = await t.http.get(`/checkout/success?session_id=${session!.id}`).expect(200);
    expect(waiting.headers['content-type']).toMatch(/^text\/html/);
    expect(waiting.text).toContain('data-status="awaiting_payment"');
    expect(waiting.text).toContain('<meta http-equiv="refresh"');

    const paid = await fetch(res.body.checkoutUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ card_number: '4242424242424242' }),
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    const landing = new URL(paid.headers.get('location')!);
    expect(`${landing.origin}${landing.pathname}`).toBe(`http://localhost:${port()}/checkout/success`);
    expect(landing.searchParams.get('session_id')).toBe(session!.id);
    await waitForOrder(t, orderId, (o) => o.status === 'paid', 'order paid');

    const page = await t.http.get(`${landing.pathname}${landing.search}`).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('Thank you: your payment went through.');
    expect(page.text).toContain('Total: <span data-amount>USD 90.00</span>');
    expect(page.text).toContain('data-status="paid"');
    expect(page.text).toContain(orderId);
    expect(page.text).not.toContain('<meta http-equiv="refresh"');
    // the listing's title is the seller's text: shown, never as markup
    expect(page.text).toContain('&#60;b&#62;Bowl&#60;/b&#62; &#38; &#34;Cup&#34; &times; 2');
    expect(page.text).not.toContain('<b>Bowl');
    // nothing of the buyer, the seller's account or Stripe's objects beyond the session id the URL carries
    expect(page.text).not.toMatch(/acct_|ch_|pi_|mkt_|buyer@|@/);

    // a client that asks for JSON gets the same view as data (the OpenAPI document declares both)
    const json = await t.http.get(`${landing.pathname}${landing.search}`).set('Accept', 'application/json').expect(200);
    expect(json.body).toEqual({ orderId, status: 'paid', display: 'USD 90.00', lines: [{ title: '<b>Bowl</b> & "Cup"', quantity: 2 }] });
    await t.http
      .get('/checkout/success?session_id=cs_unknown')
      .set('Accept', 'application/json')
      .expect(404, { error: { code: 'NOT_FOUND', message: 'No order has that Checkout Session' } });
    await expectBooksMatchStripe(t); // the buyer paid: the books match Stripe
  });

  it('a session we have no order for is a 404 page that shows the id escaped; no session id is a 404 page too', async () => {
    const hostile = '<script>alert(1)</script>"&';
    const res = await t.http.get(`/checkout/success?session_id=${encodeURIComponent(hostile)}`).expect(404);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#38;');
    expect(res.text).not.toContain('<script>');
    const none = await t.http.get('/checkout/success').expect(404);
    expect(none.text).toContain('session_id');
    const twice = await t.http.get('/checkout/success?session_id=a&session_id=b').expect(404);
    expect(twice.headers['content-type']).toMatch(/^text\/html/);
  });

  it('the cancel page tells the buyer nothing was charged, with no key', async () => {
    const res = await t.http.get('/checkout/cancel').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('You were not charged.');
  });

  it('a client that names its own URLs keeps them', async () => {
    const listing = await createListing(t, seller, { unitAmount: 1_000, title: 'Plate' });
    const res = await t.http
      .post('/checkout')
      .set(bearer(buyer.key))
      .set('Idempotency-Key', randomUUID())
      .send({ items: [{ listingId: listing, quantity: 1 }], successUrl: 'https://shop.example/thanks?s={CHECKOUT_SESSION_ID}', cancelUrl: 'https://shop.example/cart' })
      .expect(201);
    const [session] = (await t.stripe.checkout.sessions.list({ limit: 100 })).data.filter((s) => s.metadata?.order_id === res.body.orderId);
    expect(session).toMatchObject({ success_url: 'https://shop.example/thanks?s={CHECKOUT_SESSION_ID}', cancel_url: 'https://shop.example/cart' });
    expect(await payOnHostedPage(res.body.checkoutUrl, '4242424242424242')).toBe(303);
  });
});
