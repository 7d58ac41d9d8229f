// Review r1 (adversarial, issue 13 money paths): what an approved payout request must still hold at
// execution. Real app (PAYOUT_MODE=reviewed), real PostgreSQL, the sandbox.
import { createPrincipal } from './factories/principal.factory.js';
import { sqlClient } from './support/sql.js';
import { expectBooksMatchStripe } from './support/checkout.js';
import { approvedRequest, attemptRows, availableAtStripe, requestRow, sellerWithAvailableFunds, stripePayoutsOfRequest, waitForRequest } from './support/payout-execution.js';
import { waitFor } from './support/process.js';
import { testAppForFile } from './support/transfers.js';

const t = testAppForFile({ PAYOUT_MODE: 'reviewed', PAYOUT_EXECUTION_POLL_MS: '100', PAYOUT_EXECUTION_RETRY_BASE_MS: '100' });

/** A balanced ledger entry moving `amount` into the seller's available cash (negative: out of it), Stripe untouched: a ledger/Stripe difference put there on purpose. */
async function ledgerDifference(sellerId: string, amount: number, key: string): Promise<void> {
  const sql = sqlClient(t.databaseUrl);
  try {
    await sql.query(
      `WITH e AS (INSERT INTO ledger_entries (kind, reference_type, reference_id, idempotency_key) VALUES ('test', 'raw', $1, $1) RETURNING id)
       INSERT INTO ledger_lines (entry_id, account, seller_id, currency, amount)
       SELECT e.id, x.account, $2::uuid, 'USD', x.amount FROM e, (VALUES ('connected_cash_available', $3::bigint), ('seller_payable_available', -$3::bigint)) AS x(account, amount)`,
      [key, sellerId, amount],
    );
  } finally {
    await sql.end();
  }
}

describe('review r1: payout execution runs the balance check before paying', () => {
  it('a ledger/Stripe difference arising after approval: the request waits with both figures, nothing is paid; once they agree it is paid', async () => {
    const seller = await sellerWithAvailableFunds(t, { name: 'Drifting Pottery' });
    const available = BigInt(await availableAtStripe(t, seller.account));
    // after the request was made and reviewed, the ledger says the seller has 100 less than Stripe holds
    await ledgerDifference(seller.id, -100, `r1-drift-${seller.id}`);
    const id = await approvedRequest(t, seller, available);

    const waiting = await waitForRequest(t, id, (r) => r.status === 'frozen', 'waiting on the balance check');
    expect(waiting.status_code).toBe('PAYOUTS.BALANCE_MISMATCH');
    expect(waiting.status_reason).toContain('Stripe reports');
    await new Promise((r) => setTimeout(r, 500)); // several passes: still waiting, nothing sent
    expect((await requestRow(t, id)).status).toBe('frozen');
    expect(await attemptRows(t, id)).toEqual([]);
    expect(await stripePayoutsOfRequest(t, seller.account, id)).toEqual([]);
    expect(BigInt(await availableAtStripe(t, seller.account))).toBe(available);

    await ledgerDifference(seller.id, 100, `r1-drift-undone-${seller.id}`);
    await waitFor(async () => ((await attemptRows(t, id))[0]?.stripe_payout_id ? true : undefined), 20_000, 'paid out once the figures agree');
    t.sandbox.control.advance(3 * 86_400);
    await t.sandbox.control.webhooksIdle();
    await waitForRequest(t, id, (r) => r.status === 'paid', 'paid');
    expect((await stripePayoutsOfRequest(t, seller.account, id)).map((p) => p.amount)).toEqual([Number(available)]);
    await expectBooksMatchStripe(t);
  });
});

describe('review r1: the database holds that only admins approve', () => {
  it('a raw SQL approval by the seller paid or by a buyer is refused; the request cannot be approved or paid with it', async () => {
    const seller = await createPrincipal(t, 'seller');
    const buyer = await createPrincipal(t, 'buyer');
    const requester = await createPrincipal(t, 'admin');
    const sql = sqlClient(t.databaseUrl);
    try {
      const [request] = await sql.query<{ id: string }>(
        `INSERT INTO payout_requests (seller_id, stripe_account, currency, amount, origin, requested_by, reason, status, approvals_required)
         VALUES ($1, 'acct_r1_sql', 'USD', 5000, 'admin', $2, 'raw SQL (test)', 'pending_review', 1) RETURNING id`,
        [seller.id, requester.id],
      );
      for (const who of [seller, buyer]) {
        await expect(sql.query(`INSERT INTO payout_approvals (request_id, admin_id) VALUES ($1, $2)`, [request!.id, who.id])).rejects.toThrow(/admin/);
      }
      await expect(sql.query(`UPDATE payout_requests SET status = 'approved' WHERE id = $1`, [request!.id])).rejects.toThrow(/distinct approvals/);
      expect(await sql.query(`SELECT admin_id FROM payout_approvals WHERE request_id = $1`, [request!.id])).toEqual([]);
    } finally {
      await sql.end();
    }
  });
});

describe('review r2: frozen requests are each looked at again', () => {
  it('25 requests frozen for good never keep the worker from one whose freeze was lifted: it is paid', async () => {
    const seller = await sellerWithAvailableFunds(t, { name: 'Patient Pottery' });
    const available = BigInt(await availableAtStripe(t, seller.account));
    const sql = sqlClient(t.databaseUrl);
    try {
      // 25 sellers without an account to pay out from, their approved requests frozen for good, all older than the real one
      const admin = await createPrincipal(t, 'admin');
      for (let i = 0; i < 25; i++) {
        const s = await createPrincipal(t, 'seller');
        const [row] = await sql.query<{ id: string }>(
          `INSERT INTO payout_requests (seller_id, stripe_account, currency, amount, origin, requested_by, reason, status, approvals_required, created_at, updated_at)
           VALUES ($1, 'acct_none', 'USD', 1000, 'admin', $2, 'test', 'pending_review', 1, now() - interval '1 hour', now() - interval '1 hour') RETURNING id`,
          [s.id, admin.id],
        );
        const approver = await createPrincipal(t, 'admin');
        await sql.query(`INSERT INTO payout_approvals (request_id, admin_id) VALUES ($1, $2)`, [row!.id, approver.id]);
        await sql.query(`UPDATE payout_requests SET status = 'frozen', status_code = 'PAYOUTS.FROZEN', status_reason = 'stays frozen', updated_at = now() - interval '1 hour' WHERE id = $1`, [
          row!.id,
        ]);
      }
      // the real one: frozen, once, for a reason that no longer holds
      const id = await approvedRequest(t, seller, available);
      await sql.query(`UPDATE payout_requests SET status = 'frozen', status_code = 'PAYOUTS.FROZEN', status_reason = 'a dispute that has closed since' WHERE id = $1 AND status = 'approved'`, [id]);
      const paidOut = await waitFor(
        async () => {
          const [a] = await attemptRows(t, id);
          return a?.stripe_payout_id ? a : undefined;
        },
        20_000,
        'the unfrozen request paid out',
      );
      expect((await stripePayoutsOfRequest(t, seller.account, id)).map((p) => p.id)).toEqual([paidOut.stripe_payout_id]);
      const [{ n }] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM payout_attempts a JOIN payout_requests r ON r.id = a.request_id WHERE r.stripe_account = 'acct_none'`);
      expect(n).toBe(0);
      // the others are rejected so the books' check sees only real sellers
      await sql.query(`UPDATE payout_requests SET status = 'rejected', status_code = 'PAYOUTS.REJECTED', status_reason = 'test' WHERE stripe_account = 'acct_none'`);
    } finally {
      await sql.end();
    }
    t.sandbox.control.advance(3 * 86_400);
    await t.sandbox.control.webhooksIdle();
    await waitForRequest(t, (await sqlRequestId(seller.id))!, (r) => r.status === 'paid', 'paid');
    await expectBooksMatchStripe(t);
  });
});

async function sqlRequestId(sellerId: string): Promise<string | undefined> {
  const sql = sqlClient(t.databaseUrl);
  try {
    const [row] = await sql.query<{ id: string }>(`SELECT id FROM payout_requests WHERE seller_id = $1 ORDER BY created_at DESC LIMIT 1`, [sellerId]);
    return row?.id;
  } finally {
    await sql.end();
  }
}
