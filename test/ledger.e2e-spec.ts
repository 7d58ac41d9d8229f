import { Money } from '@app/money';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { LedgerLineInput } from '../apps/marketplace/src/ledger/ledger-lines.js';
import { credit, debit } from '../apps/marketplace/src/ledger/ledger-lines.js';
import { destinationChargeLines, destinationRefundLines, payoutLines } from './factories/stripe-movements.factory.js';
import { LedgerService } from '../apps/marketplace/src/ledger/ledger.service.js';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('ledger: double-entry journal', () => {
  let t: TestApp;
  let ledger: LedgerService;
  let db: DataSource;
  let sql: pg.Client;
  let sellerA: PrincipalWithKey;
  let sellerB: PrincipalWithKey;

  beforeAll(async () => {
    t = await startTestApp();
    ledger = t.app.get(LedgerService);
    db = t.app.get(DataSource);
    sql = new pg.Client({ connectionString: t.databaseUrl });
    await sql.connect();
    sellerA = await createPrincipal(t, 'seller');
    sellerB = await createPrincipal(t, 'seller');
  });
  afterAll(async () => {
    await sql?.end();
    await t?.close();
  });

  const post = (key: string, lines: LedgerLineInput[], reference = { type: 'test', id: key }) => db.transaction((tx) => ledger.post(tx, { kind: 'test', reference, idempotencyKey: key, lines }));

  const balance = async (code: string, query: Record<string, string> = {}) => (await t.http.get(`/admin/ledger/accounts/${code}/balance`).query(query).set(bearer(t.adminKey)).expect(200)).body;

  /** Inserts an entry and its lines in one raw SQL transaction. */
  async function rawEntry(key: string, lines: Array<[account: string, currency: string, amount: string]>): Promise<string> {
    await sql.query('BEGIN');
    try {
      const { rows } = await sql.query(`INSERT INTO ledger_entries (kind, reference_type, reference_id, idempotency_key) VALUES ('test', 'raw', $1, $1) RETURNING id`, [key]);
      for (const [account, currency, amount] of lines) {
        await sql.query(`INSERT INTO ledger_lines (entry_id, account, currency, amount) VALUES ($1, $2, $3, $4)`, [rows[0].id, account, currency, amount]);
      }
      await sql.query('COMMIT');
      return rows[0].id;
    } catch (e) {
      await sql.query('ROLLBACK');
      throw e;
    }
  }

  it('PostgreSQL rejects an unbalanced entry at COMMIT, not before, and keeps nothing', async () => {
    await sql.query('BEGIN');
    const { rows } = await sql.query(`INSERT INTO ledger_entries (kind, reference_type, reference_id, idempotency_key) VALUES ('test', 'raw', 'u1', 'raw-unbalanced') RETURNING id`);
    await sql.query(`INSERT INTO ledger_lines (entry_id, account, currency, amount) VALUES ($1, 'platform_cash_pending', 'USD', 100)`, [rows[0].id]);
    // each statement is accepted: the check is deferred to COMMIT
    await sql.query(`INSERT INTO ledger_lines (entry_id, account, currency, amount) VALUES ($1, 'platform_fee_revenue', 'USD', -99)`, [rows[0].id]);
    await expect(sql.query('COMMIT')).rejects.toThrow(/does not balance: lines sum to USD 1/);
    const left = await sql.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE idempotency_key = 'raw-unbalanced'`);
    expect(left.rows[0].n).toBe(0);
  });

  it('PostgreSQL rejects an entry whose currencies balance only across currencies, and one with a single line', async () => {
    await expect(
      rawEntry('raw-cross', [
        ['platform_cash_pending', 'USD', '100'],
        ['platform_fee_revenue', 'JPY', '-100'],
      ]),
    ).rejects.toThrow(/does not balance/);
    await expect(rawEntry('raw-single', [['platform_cash_pending', 'USD', '0']])).rejects.toThrow(/ledger_lines_amount_check/);
    await expect(rawEntry('raw-empty', [])).rejects.toThrow(/needs at least two/);
  });

  it('PostgreSQL refuses unknown account codes, a per-seller line without a seller (and a seller on a platform account), and lines added to an old entry', async () => {
    await expect(
      rawEntry('raw-unknown', [
        ['cash', 'USD', '100'],
        ['platform_fee_revenue', 'USD', '-100'],
      ]),
    ).rejects.toThrow(/ledger_lines_account_check/);
    await expect(
      rawEntry('raw-no-seller', [
        ['seller_payable_pending', 'USD', '100'],
        ['platform_fee_revenue', 'USD', '-100'],
      ]),
    ).rejects.toThrow(/ledger_lines_seller_check/);
    await expect(
      rawEntry('raw-no-seller-cash', [
        ['connected_cash_available', 'USD', '100'],
        ['platform_fee_revenue', 'USD', '-100'],
      ]),
    ).rejects.toThrow(/ledger_lines_seller_check/);
    await sql.query('BEGIN');
    const { rows } = await sql.query(
      `INSERT INTO ledger_entries (kind, reference_type, reference_id, idempotency_key) VALUES ('test', 'raw', 'seller-on-platform', 'raw-seller-on-platform') RETURNING id`,
    );
    await expect(sql.query(`INSERT INTO ledger_lines (entry_id, account, seller_id, currency, amount) VALUES ($1, 'platform_cash_pending', $2, 'USD', 100)`, [rows[0].id, sellerA.id])).rejects.toThrow(
      /ledger_lines_seller_check/,
    );
    await sql.query('ROLLBACK');
    // an entry committed earlier takes no new lines, even balanced ones
    const old = await rawEntry('raw-old', [
      ['platform_cash_pending', 'CHF', '100'],
      ['platform_fee_revenue', 'CHF', '-100'],
    ]);
    await sql.query('BEGIN');
    try {
      await expect(sql.query(`INSERT INTO ledger_lines (entry_id, account, currency, amount) VALUES ($1, 'platform_cash_pending', 'CHF', 5)`, [old])).rejects.toThrow(/committed earlier/);
    } finally {
      await sql.query('ROLLBACK');
    }
  });

  it('PostgreSQL rejects UPDATE and DELETE of a line and of an entry', async () => {
    const entryId = await rawEntry('raw-balanced', [
      ['platform_cash_pending', 'USD', '100'],
      ['platform_fee_revenue', 'USD', '-100'],
    ]);
    await expect(sql.query(`UPDATE ledger_lines SET amount = 200 WHERE entry_id = $1 AND amount > 0`, [entryId])).rejects.toThrow(/append-only: UPDATE/);
    await expect(sql.query(`DELETE FROM ledger_lines WHERE entry_id = $1`, [entryId])).rejects.toThrow(/append-only: DELETE/);
    await expect(sql.query(`UPDATE ledger_entries SET description = 'edited' WHERE id = $1`, [entryId])).rejects.toThrow(/append-only: UPDATE/);
    await expect(sql.query(`DELETE FROM ledger_entries WHERE id = $1`, [entryId])).rejects.toThrow(/append-only: DELETE/);
    // payout allocations reference the lines (a plain TRUNCATE is refused for that first); CASCADE reaches the trigger
    await expect(sql.query(`TRUNCATE ledger_lines`)).rejects.toThrow(/append-only|referenced in a foreign key/);
    await expect(sql.query(`TRUNCATE ledger_lines CASCADE`)).rejects.toThrow(/append-only/);
    const lines = await sql.query(`SELECT amount::text FROM ledger_lines WHERE entry_id = $1 ORDER BY amount`, [entryId]);
    expect(lines.rows.map((r) => r.amount)).toEqual(['-100', '100']);
  });

  it('refuses an unbalanced post with LEDGER.UNBALANCED before the database, and rolls the caller back', async () => {
    const unbalanced: LedgerLineInput[] = [
      { account: 'platform_cash_pending', amount: Money.of(100n, 'USD') },
      { account: 'platform_fee_revenue', amount: Money.of(-90n, 'USD') },
    ];
    await expect(post('svc-unbalanced', unbalanced)).rejects.toMatchObject({ code: 'LEDGER.UNBALANCED' });
    expect((await sql.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE idempotency_key = 'svc-unbalanced'`)).rows[0].n).toBe(0);
  });

  it('posts once per idempotency key: a second post returns the same entry and writes nothing', async () => {
    const lines = destinationChargeLines({ gross: Money.of(10_000n, 'USD'), applicationFee: Money.of(1_000n, 'USD'), sellerId: sellerA.id });
    const first = await post('charge:idem', lines, { type: 'order', id: 'order-idem' });
    const again = await post('charge:idem', lines, { type: 'order', id: 'order-idem' });
    expect(again.id).toBe(first.id);
    const count = await sql.query(`SELECT count(*)::int AS n FROM ledger_lines WHERE entry_id = $1`, [first.id]);
    expect(count.rows[0].n).toBe(lines.length);
    const entries = await sql.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE reference_id = 'order-idem'`);
    expect(entries.rows[0].n).toBe(1);
    // the same Stripe movements read again once Stripe reports them available: the same entry
    const readLater = lines.map((l) => ({ ...l, account: l.account.replace(/_pending$/, '_available') as LedgerLineInput['account'] }));
    expect((await post('charge:idem', readLater, { type: 'order', id: 'order-idem' })).id).toBe(first.id);
    // the same key for different money is a bug in the caller, not a replay
    const other = destinationChargeLines({ gross: Money.of(20_000n, 'USD'), applicationFee: Money.of(1_000n, 'USD'), sellerId: sellerA.id });
    await expect(post('charge:idem', other, { type: 'order', id: 'order-idem' })).rejects.toMatchObject({ code: 'LEDGER.IDEMPOTENCY_KEY_REUSED' });
  });

  it('concurrent posts with one key write one entry', async () => {
    const lines = destinationChargeLines({ gross: Money.of(700n, 'EUR'), applicationFee: Money.of(70n, 'EUR'), sellerId: sellerB.id });
    const posted = await Promise.all(Array.from({ length: 8 }, () => post('charge:race', lines, { type: 'order', id: 'order-race' })));
    expect(new Set(posted.map((e) => e.id)).size).toBe(1);
    expect((await sql.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE reference_id = 'order-race'`)).rows[0].n).toBe(1);
  });

  it('a reversal nets the balances to zero, once', async () => {
    // a correction of our own booking (no Stripe movement in it) can be reversed...
    const gbp = Money.of(2_500n, 'GBP');
    const payout = await post('payout:rev', [debit('seller_payable_available', gbp, sellerB.id), credit('platform_fee_refunds', gbp)], { type: 'payout', id: 'po-rev' });
    expect((await balance('seller_payable_available', { sellerId: sellerB.id, currency: 'GBP' })).balances).toEqual([{ currency: 'GBP', amount: '-2500', display: 'GBP -25.00' }]);
    const reversal = await db.transaction((tx) => ledger.reverse(tx, payout.id, 'payout:rev:failed', 'payout failed'));
    expect(reversal.reversesEntryId).toBe(payout.id);
    const again = await db.transaction((tx) => ledger.reverse(tx, payout.id, 'payout:rev:failed', 'payout failed'));
    expect(again.id).toBe(reversal.id);
    await expect(db.transaction((tx) => ledger.reverse(tx, payout.id, 'payout:rev:other', 'twice'))).rejects.toMatchObject({ code: 'LEDGER.ALREADY_REVERSED' });
    await expect(db.transaction((tx) => ledger.reverse(tx, reversal.id, 'payout:rev:rev', 'undo'))).rejects.toMatchObject({
      code: 'LEDGER.CANNOT_REVERSE_REVERSAL',
    });
    // ...an amount Stripe moved cannot: what Stripe does next is booked instead
    const moved = await post('payout:stripe', payoutLines({ amount: Money.of(100n, 'GBP'), sellerId: sellerB.id }), { type: 'payout', id: 'po-stripe' });
    await expect(db.transaction((tx) => ledger.reverse(tx, moved.id, 'payout:stripe:failed', 'undo'))).rejects.toMatchObject({ code: 'LEDGER.CANNOT_REVERSE_STRIPE_MOVEMENT' });
    await post('payout:stripe:back', payoutLines({ amount: Money.of(-100n, 'GBP'), sellerId: sellerB.id }), { type: 'payout', id: 'po-stripe' });
    for (const code of ['seller_payable_available', 'platform_fee_refunds']) {
      const query: Record<string, string> = code.startsWith('seller') ? { sellerId: sellerB.id, currency: 'GBP' } : { currency: 'GBP' };
      expect((await balance(code, query)).balances).toEqual([{ currency: 'GBP', amount: '0', display: 'GBP 0.00' }]);
    }
    const entries = await t.http.get('/admin/ledger/entries').query({ referenceType: 'payout', referenceId: 'po-rev' }).set(bearer(t.adminKey)).expect(200);
    expect(entries.body.data.map((e: { kind: string }) => e.kind)).toEqual(['test', 'reversal']);
    expect(entries.body.data[1].lines.map((l: { amount: string }) => l.amount).sort()).toEqual(['-2500', '2500']);
  });

  it('keeps balances per seller and per currency (USD, JPY, KWD)', async () => {
    const charges = [
      { seller: sellerA, gross: Money.of(10_000n, 'USD'), fee: Money.of(1_000n, 'USD') },
      { seller: sellerA, gross: Money.of(5_000n, 'JPY'), fee: Money.of(500n, 'JPY') },
      { seller: sellerB, gross: Money.of(12_345n, 'KWD'), fee: Money.of(1_235n, 'KWD') },
      { seller: sellerB, gross: Money.of(3_000n, 'USD'), fee: Money.of(300n, 'USD') },
    ];
    for (const [i, c] of charges.entries()) {
      await post(`charge:multi:${i}`, destinationChargeLines({ gross: c.gross, applicationFee: c.fee, sellerId: c.seller.id }), { type: 'order', id: `multi-${i}` });
    }
    await post('refund:multi:0', destinationRefundLines({ refund: Money.of(5_000n, 'USD'), reversed: Money.of(5_000n, 'USD'), feeRefund: Money.of(500n, 'USD'), sellerId: sellerA.id }), {
      type: 'order',
      id: 'multi-0',
    });

    // sellerA: USD 100.00 - 10.00 fee (earlier test) + USD 90.00 here; JPY 4500
    const a = await balance('seller_payable_pending', { sellerId: sellerA.id });
    expect(a.balances).toEqual([
      { currency: 'JPY', amount: '4500', display: 'JPY 4500' },
      { currency: 'USD', amount: '18000', display: 'USD 180.00' },
    ]);
    expect((await balance('seller_payable_available', { sellerId: sellerA.id, currency: 'USD' })).balances[0].amount).toBe('-4500');
    const b = await balance('seller_payable_pending', { sellerId: sellerB.id, currency: 'KWD' });
    expect(b.balances).toEqual([{ currency: 'KWD', amount: '11110', display: 'KWD 11.110' }]);
    const revenue = await balance('platform_fee_revenue');
    expect(revenue.normalSide).toBe('credit');
    expect(revenue.balances).toEqual([
      { currency: 'CHF', amount: '100', display: 'CHF 1.00' },
      { currency: 'EUR', amount: '70', display: 'EUR 0.70' },
      { currency: 'JPY', amount: '500', display: 'JPY 500' },
      { currency: 'KWD', amount: '1235', display: 'KWD 1.235' },
      { currency: 'USD', amount: '2400', display: 'USD 24.00' },
    ]);
    expect((await balance('platform_fee_refunds', { currency: 'USD' })).balances[0].amount).toBe('500');
    // every committed entry sums to zero per currency
    const unbalanced = await sql.query(`SELECT entry_id, currency FROM ledger_lines GROUP BY entry_id, currency HAVING sum(amount) <> 0`);
    expect(unbalanced.rows).toEqual([]);
  });

  it('serves the chart of accounts and refuses unknown accounts, misplaced sellers and non-admins', async () => {
    const chart = await t.http.get('/admin/ledger/accounts').set(bearer(t.adminKey)).expect(200);
    expect(chart.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'seller_payable_available', type: 'liability', normalSide: 'credit', perSeller: true }),
        expect.objectContaining({ code: 'platform_cash_pending', type: 'asset', normalSide: 'debit', perSeller: false }),
      ]),
    );
    expect((await t.http.get('/admin/ledger/accounts/nope/balance').set(bearer(t.adminKey)).expect(404)).body.error.code).toBe('LEDGER.UNKNOWN_ACCOUNT');
    const misplaced = await t.http.get('/admin/ledger/accounts/platform_fee_revenue/balance').query({ sellerId: sellerA.id }).set(bearer(t.adminKey)).expect(400);
    expect(misplaced.body.error.code).toBe('LEDGER.SELLER_NOT_ALLOWED');
    await t.http.get('/admin/ledger/accounts/platform_fee_revenue/balance').query({ currency: 'US' }).set(bearer(t.adminKey)).expect(400);
    await t.http.get('/admin/ledger/entries').set(bearer(t.adminKey)).expect(400);
    await t.http.get('/admin/ledger/accounts').set(bearer(sellerA.key)).expect(403);
  });
});
