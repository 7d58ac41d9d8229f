// Approved payout requests for the execution suites, made with SQL until request creation and review
// land (issue 13): a request in review, its approvals by admin principals, then approved (the
// database's two-person rule allows it once the approvals are in).
import { DataSource } from 'typeorm';
import { createPrincipal, type PrincipalWithKey } from '../factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from '../factories/seller.factory.js';
import { paidOrder } from './checkout.js';
import { waitFor } from './process.js';
import type { TestApp } from './test-app.js';

export interface RequestRow {
  id: string;
  status: string;
  status_code: string | null;
  status_reason: string | null;
  paid_at: Date | null;
}

export interface AttemptRow {
  id: string;
  status: string;
  idempotency_key: string;
  stripe_payout_id: string | null;
  stripe_status: string | null;
  failure_code: string | null;
  submit_attempts: number;
}

const db = (t: TestApp) => t.app.get(DataSource);

/** An active seller (bank account `accountNumber`) with `unitAmount` sold and the funds available at Stripe and in the ledger. */
export async function sellerWithAvailableFunds(t: TestApp, o: { name?: string; unitAmount?: number; accountNumber?: string } = {}): Promise<ActiveSeller> {
  const seller = await createActiveSeller(t, o.name, o.accountNumber);
  const buyer = await createPrincipal(t, 'buyer');
  await paidOrder(t, buyer, await createListing(t, seller, { unitAmount: o.unitAmount ?? 10_000, title: 'Bowl' }));
  t.sandbox.control.advance(3 * 86_400);
  await t.sandbox.control.webhooksIdle();
  await waitFor(async () => ((await availableAtStripe(t, seller.account)) > 0 ? true : undefined), 15_000, 'funds available');
  return seller;
}

/** The seller's available balance at Stripe in `currency`. */
export async function availableAtStripe(t: TestApp, account: string, currency = 'usd'): Promise<number> {
  return (await t.stripe.balance.retrieve({}, { stripeAccount: account })).available.filter((b) => b.currency === currency).reduce((s, b) => s + b.amount, 0);
}

/** A request of `amount` for the seller, asked for by an admin and approved by `approvals` other admins. */
export async function approvedRequest(t: TestApp, seller: ActiveSeller, amount: bigint, o: { currency?: string; approvals?: 1 | 2 } = {}): Promise<string> {
  const approvals = o.approvals ?? 1;
  const requester = await createPrincipal(t, 'admin');
  const approvers: PrincipalWithKey[] = [];
  for (let i = 0; i < approvals; i++) approvers.push(await createPrincipal(t, 'admin'));
  return db(t).transaction(async (tx) => {
    const [row]: Array<{ id: string }> = await tx.query(
      `INSERT INTO payout_requests (seller_id, stripe_account, currency, amount, origin, requested_by, reason, status, approvals_required)
       VALUES ($1, $2, $3, $4, 'admin', $5, 'payout of the available balance (test)', 'pending_review', $6) RETURNING id`,
      [seller.id, seller.account, o.currency ?? 'USD', amount.toString(), requester.id, approvals],
    );
    for (const admin of approvers) await tx.query(`INSERT INTO payout_approvals (request_id, admin_id) VALUES ($1, $2)`, [row!.id, admin.id]);
    await tx.query(`UPDATE payout_requests SET status = 'approved', approved_at = now() WHERE id = $1`, [row!.id]);
    return row!.id;
  });
}

export async function requestRow(t: TestApp, id: string): Promise<RequestRow> {
  const [row]: RequestRow[] = await db(t).query(`SELECT id, status, status_code, status_reason, paid_at FROM payout_requests WHERE id = $1`, [id]);
  return row!;
}

export async function attemptRows(t: TestApp, requestId: string): Promise<AttemptRow[]> {
  return db(t).query(`SELECT id, status, idempotency_key, stripe_payout_id, stripe_status, failure_code, submit_attempts FROM payout_attempts WHERE request_id = $1 ORDER BY created_at, id`, [
    requestId,
  ]);
}

export function waitForRequest(t: TestApp, id: string, accept: (r: RequestRow) => boolean, what: string, timeoutMs = 20_000): Promise<RequestRow> {
  return waitFor(
    async () => {
      const r = await requestRow(t, id);
      return accept(r) ? r : undefined;
    },
    timeoutMs,
    `request ${id} ${what}`,
  );
}

/** The payouts Stripe has on the seller's account for this request (by our metadata). */
export async function stripePayoutsOfRequest(t: TestApp, account: string, requestId: string) {
  const out = [];
  for await (const p of t.stripe.payouts.list({ limit: 100 }, { stripeAccount: account })) if (p.metadata?.payout_request_id === requestId) out.push(p);
  return out;
}

/** What the payout's ledger links say it paid out (allocated minus released). */
export async function allocatedTotal(t: TestApp, stripePayoutId: string): Promise<{ allocated: bigint; released: bigint; rows: number }> {
  const [row]: Array<{ allocated: string; released: string; rows: number }> = await db(t).query(
    `SELECT coalesce(sum(amount) FILTER (WHERE kind = 'allocated'), 0)::text AS allocated, coalesce(sum(amount) FILTER (WHERE kind = 'released'), 0)::text AS released, count(*)::int AS rows
       FROM ledger_payout_allocations WHERE stripe_payout_id = $1`,
    [stripePayoutId],
  );
  return { allocated: BigInt(row!.allocated), released: BigInt(row!.released), rows: row!.rows };
}
