// The idempotency-key janitor (worker role): keys past their 24 h are deleted, fresh ones kept;
// a deleted key used again is a new request.
import { randomUUID } from 'node:crypto';
import { IdempotencyKeysJanitor } from '../apps/marketplace/src/common/idempotency/idempotency.module.js';
import { createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { checkout, expectBooksMatchStripe, ledgerEntries, payOnHostedPage, waitForOrder } from './support/checkout.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let sql: SqlClient;
let buyer: PrincipalWithKey;
let listing: string;

beforeAll(async () => {
  t = await startTestApp();
  sql = sqlClient(t.databaseUrl);
  const seller = await createActiveSeller(t);
  buyer = await createPrincipal(t, 'buyer');
  listing = await createListing(t, seller, { unitAmount: 2_500 });
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

const keyRows = async (keys: string[]) =>
  (await sql.query<{ key: string }>(`SELECT key FROM idempotency_keys WHERE principal_id = $1 AND key = ANY($2) ORDER BY key`, [buyer.id, keys])).map((r) => r.key);

describe('IdempotencyKeysJanitor.deleteExpired', () => {
  it('deletes keys past their expiry and keeps the others; the expired key then makes a new order', async () => {
    const items = [{ listingId: listing, quantity: 1 }];
    const [oldKey, freshKey] = [randomUUID(), randomUUID()];
    const old = await checkout(t, buyer, items, oldKey).expect(201);
    const fresh = await checkout(t, buyer, items, freshKey).expect(201);
    expect(await payOnHostedPage(old.body.checkoutUrl, '4242424242424242')).toBe(303);
    await waitForOrder(t, old.body.orderId, (o) => o.status === 'paid', 'first order paid');
    expect(await keyRows([oldKey, freshKey])).toEqual([oldKey, freshKey].sort());

    // the first key's 24 h are over
    await sql.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE principal_id = $1 AND key = $2`, [buyer.id, oldKey]);
    await sql.query(`UPDATE orders SET created_at = created_at - interval '24 hours' WHERE id = $1`, [old.body.orderId]);
    await t.app.get(IdempotencyKeysJanitor).deleteExpired();
    expect(await keyRows([oldKey, freshKey])).toEqual([freshKey]);

    // the fresh key still replays its answer
    const replayed = await checkout(t, buyer, items, freshKey).expect(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(fresh.body);

    // the deleted key is a new request: a new order, the old one lets go of the key
    const again = await checkout(t, buyer, items, oldKey).expect(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.orderId).not.toBe(old.body.orderId);
    expect(await sql.one(`SELECT idempotency_key FROM orders WHERE id = $1`, [old.body.orderId])).toEqual({ idempotency_key: null });
    expect(await sql.one(`SELECT idempotency_key FROM orders WHERE id = $1`, [again.body.orderId])).toEqual({ idempotency_key: oldKey });
    expect(await keyRows([oldKey, freshKey])).toEqual([oldKey, freshKey].sort());

    // the first order's money is untouched
    expect((await waitForOrder(t, old.body.orderId, (o) => o.status === 'paid', 'first order still paid')).amountTotal).toBe('2500');
    expect((await ledgerEntries(t, old.body.orderId)).map((e) => e.kind)).toEqual(['charge']);
    expect(await ledgerEntries(t, again.body.orderId)).toEqual([]);
    await expectBooksMatchStripe(t);
  });
});
