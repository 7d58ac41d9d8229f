// Review (adversarial): LedgerService.post's idempotency compares account|seller|currency|amount only.
import { Money } from '@app/money';
import { DataSource } from 'typeorm';
import { LedgerService } from '../apps/marketplace/src/ledger/ledger.service.js';
import { transferLines } from '../apps/marketplace/src/ledger/index.js';
import { accountOf, movement, txn } from './factories/stripe-movements.factory.js';
import { createPrincipal } from './factories/principal.factory.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let sql: SqlClient;
beforeAll(async () => {
  t = await startTestApp();
  sql = sqlClient(t.databaseUrl);
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

describe('review: ledger idempotency', () => {
  it('the same key with lines from other Stripe objects is refused, not answered with the first entry (the second movement would go unbooked)', async () => {
    const seller = await createPrincipal(t, 'seller');
    const ledger = t.app.get(LedgerService);
    const db = t.app.get(DataSource);
    const s = { kind: 'connected' as const, sellerId: seller.id, account: accountOf(seller.id) };
    const usd = (n: bigint, status: 'pending' | 'available' = 'available') => txn(n, 'USD', { status });
    const post = (lines: ReturnType<typeof transferLines>) =>
      db.transaction((tx) => ledger.post(tx, { kind: 'transfer', reference: { type: 'test', id: 'k' }, idempotencyKey: 'dispute-return:review-same-key', lines }));
    // e.g. dispute-return:<disputeId> after a second transfer was made (the key is ours, the objects are Stripe's)
    const first = transferLines({ seller: s, transfer: movement('tr', usd(-500n)), payment: movement('py', usd(500n)) });
    const second = transferLines({ seller: s, transfer: movement('tr', usd(-500n)), payment: movement('py', usd(500n)) });
    await post(first);
    await expect(post(second)).rejects.toMatchObject({ code: 'LEDGER.IDEMPOTENCY_KEY_REUSED' });
  });

  it('the same entry read again after Stripe made its funds available is the same entry (not LEDGER.IDEMPOTENCY_KEY_REUSED)', async () => {
    const seller = await createPrincipal(t, 'seller');
    const ledger = t.app.get(LedgerService);
    const db = t.app.get(DataSource);
    const s = { kind: 'connected' as const, sellerId: seller.id, account: accountOf(seller.id) };
    const tr = movement('tr', txn(-700n, 'USD', { status: 'pending' }));
    const py = movement('py', txn(700n, 'USD', { status: 'pending' }));
    const post = (lines: ReturnType<typeof transferLines>) =>
      db.transaction((tx) => ledger.post(tx, { kind: 'transfer', reference: { type: 'test', id: 'k2' }, idempotencyKey: 'transfer:review-status-moved', lines }));
    await post(transferLines({ seller: s, transfer: tr, payment: py }));
    const later = (m: typeof tr) => ({ ...m, txn: { ...m.txn, status: 'available' } });
    await expect(post(transferLines({ seller: s, transfer: later(tr), payment: later(py) }))).resolves.toBeDefined();
    void Money;
  });
});
