import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { CASH_ACCOUNTS, LEDGER_ENTRY_KINDS } from '../ledger/index.js';
import type { LedgerFigures } from './transaction-match.js';

const FEE_ACCOUNTS = ['stripe_processing_fees', 'dispute_fees'];

/** The cash lines of one Stripe balance, as SQL over `ledger_lines l` ($1 is the balance's account for a connected one). */
function cashOf(balance: string): { where: string; params: unknown[] } {
  return balance === 'platform'
    ? { where: `l.account IN ('${CASH_ACCOUNTS.platform.pending}', '${CASH_ACCOUNTS.platform.available}') AND l.seller_id IS NULL`, params: [] }
    : { where: `l.account IN ('${CASH_ACCOUNTS.connected.pending}', '${CASH_ACCOUNTS.connected.available}') AND l.stripe_account = $1`, params: [balance] };
}

/** What the platform's books say about a payout: its ledger entries, what they paid out, and our request and attempt for it. */
export interface BookedPayout {
  entryId: string | null;
  returned: boolean;
  /** Sum of ledger_payout_allocations of the payout (allocated minus released). */
  allocated: bigint;
  /** Balance transactions of the ledger lines the payout paid out. */
  allocatedTransactions: string[];
  /** The Stripe objects of lines it paid out that were booked without their balance transaction (matched on the transaction's source). */
  allocatedObjects: string[];
  attempt: { id: string; status: string; requestId: string; requestStatus: string; approvals: number; approvalsRequired: number } | null;
}

/**
 * Reads the ledger and the modules' own rows for reconciliation (read only; the ledger is written
 * through LedgerService only). Every query is bounded by the ids of one page.
 */
@Injectable()
export class BooksReader {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The ledger's figures of each balance transaction of one balance: by its id, else by the object that made it (lines booked without the id). */
  async figures(balance: string, txns: Array<{ id: string; source: string | null }>, manager: EntityManager = this.db.manager): Promise<Map<string, LedgerFigures>> {
    const out = new Map<string, LedgerFigures>();
    if (!txns.length) return out;
    const cash = cashOf(balance);
    const n = cash.params.length;
    const byTxn: Array<{ txn: string; net: string; fee: string; currencies: string[] | null; entries: string[]; cash: boolean }> = await manager.query(
      `SELECT l.stripe_balance_transaction_id AS txn,
              coalesce(sum(l.amount) FILTER (WHERE ${cash.where}), 0)::text AS net,
              coalesce(sum(l.amount) FILTER (WHERE l.account = ANY($${n + 2})), 0)::text AS fee,
              array_agg(DISTINCT l.currency) FILTER (WHERE ${cash.where}) AS currencies,
              array_agg(DISTINCT l.entry_id) AS entries,
              bool_or(${cash.where}) AS cash
         FROM ledger_lines l
        WHERE l.stripe_balance_transaction_id = ANY($${n + 1}) AND ((${cash.where}) OR l.account = ANY($${n + 2}))
        GROUP BY 1`,
      [...cash.params, txns.map((t) => t.id), FEE_ACCOUNTS],
    );
    for (const r of byTxn) if (r.cash) out.set(r.txn, { net: BigInt(r.net), fee: BigInt(r.fee), currencies: r.currencies ?? [], entryIds: r.entries });
    const unseen = txns.filter((t) => !out.has(t.id) && t.source);
    if (unseen.length) {
      const byObject: Array<{ source: string; net: string; currencies: string[]; entries: string[] }> = await manager.query(
        `SELECT l.stripe_object_id AS source, sum(l.amount)::text AS net, array_agg(DISTINCT l.currency) AS currencies, array_agg(DISTINCT l.entry_id) AS entries
           FROM ledger_lines l
          WHERE ${cash.where} AND l.stripe_balance_transaction_id IS NULL AND l.stripe_object_id = ANY($${n + 1})
          GROUP BY 1`,
        [...cash.params, unseen.map((t) => t.source)],
      );
      const bySource = new Map(byObject.map((r) => [r.source, r]));
      for (const t of unseen) {
        const r = bySource.get(t.source!);
        if (r) out.set(t.id, { net: BigInt(r.net), fee: 0n, currencies: r.currencies, entryIds: r.entries });
      }
    }
    return out;
  }

  /** What an entry's cash lines moved, per Stripe balance and balance transaction (lines without one are left out). */
  async cashContributions(entryId: string): Promise<Array<{ balance: string; txn: string; amount: bigint }>> {
    const rows: Array<{ balance: string; txn: string; amount: string }> = await this.db.query(
      `SELECT coalesce(l.stripe_account, 'platform') AS balance, l.stripe_balance_transaction_id AS txn, sum(l.amount)::text AS amount
         FROM ledger_lines l
        WHERE l.entry_id = $1 AND l.stripe_balance_transaction_id IS NOT NULL
          AND l.account IN ('${CASH_ACCOUNTS.platform.pending}', '${CASH_ACCOUNTS.platform.available}', '${CASH_ACCOUNTS.connected.pending}', '${CASH_ACCOUNTS.connected.available}')
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [entryId],
    );
    return rows.map((r) => ({ balance: r.balance, txn: r.txn, amount: BigInt(r.amount) }));
  }

  /** The entry (not a reversal, not reversed) whose lines on this balance's cash carry `txn` for exactly `difference`, if one does. */
  async entryAccountingFor(balance: string, txn: string, difference: bigint): Promise<string | null> {
    const cash = cashOf(balance);
    const n = cash.params.length;
    const rows: Array<{ entry: string }> = await this.db.query(
      `SELECT l.entry_id AS entry FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
        WHERE ${cash.where} AND l.stripe_balance_transaction_id = $${n + 1} AND e.reverses_entry_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_entry_id = e.id)
        GROUP BY l.entry_id, e.created_at HAVING sum(l.amount) = $${n + 2} ORDER BY e.created_at DESC LIMIT 1`,
      [...cash.params, txn, difference],
    );
    return rows[0]?.entry ?? null;
  }

  /**
   * Balance transactions on this balance's cash lines for the ledger pass, in id order after `after`:
   * those no run has compared yet (posted since `horizon`), and those with lines posted since `since`
   * (the previous run's start: a later posting against an old transaction is judged again), except
   * those this run compared already.
   */
  async transactionsToCompare(q: { runId: string; balance: string; after: string | null; limit: number; since: Date | null; horizon: Date }): Promise<string[]> {
    const cash = cashOf(q.balance);
    const n = cash.params.length;
    const rows: Array<{ txn: string }> = await this.db.query(
      `SELECT DISTINCT l.stripe_balance_transaction_id AS txn FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
        WHERE ${cash.where} AND l.stripe_balance_transaction_id IS NOT NULL AND ($${n + 1}::text IS NULL OR l.stripe_balance_transaction_id > $${n + 1}::text)
          AND e.created_at >= $${n + 5}
          AND NOT EXISTS (SELECT 1 FROM reconciliation_items i WHERE i.balance_transaction_id = l.stripe_balance_transaction_id AND i.run_id = $${n + 3})
          AND (($${n + 4}::timestamptz IS NOT NULL AND e.created_at >= $${n + 4}::timestamptz)
               OR NOT EXISTS (SELECT 1 FROM reconciliation_items i WHERE i.balance_transaction_id = l.stripe_balance_transaction_id AND i.outcome <> 'in_flight'))
        ORDER BY 1 LIMIT $${n + 2}`,
      [...cash.params, q.after, q.limit, q.runId, q.since, q.horizon],
    );
    return rows.map((r) => r.txn);
  }

  /** Items left in flight by earlier runs and compared by no run since, after `after` (transaction id order). */
  async inFlightBefore(runId: string, after: string | null, limit: number): Promise<Array<{ txn: string; balance: string }>> {
    return this.db.query(
      `SELECT DISTINCT i.balance_transaction_id AS txn, i.balance FROM reconciliation_items i
        WHERE i.outcome = 'in_flight' AND i.run_id <> $1 AND ($2::text IS NULL OR i.balance_transaction_id > $2::text)
          AND NOT EXISTS (SELECT 1 FROM reconciliation_items j WHERE j.balance_transaction_id = i.balance_transaction_id AND (j.outcome <> 'in_flight' OR j.run_id = $1))
        ORDER BY 1 LIMIT $3`,
      [runId, after, limit],
    );
  }

  /** Objects with an event in the inbox not yet worked: what the ledger has not booked yet is in flight, not missing. */
  async inFlightObjects(ids: string[]): Promise<Set<string>> {
    const wanted = ids.filter(Boolean);
    if (!wanted.length) return new Set();
    const rows: Array<{ id: string }> = await this.db.query(`SELECT DISTINCT object_id AS id FROM webhook_events WHERE status IN ('pending', 'processing') AND object_id = ANY($1)`, [wanted]);
    return new Set(rows.map((r) => r.id));
  }

  /** Our books have this Stripe object: its payout entry, fee line, or our transfer, refund or dispute row. */
  async hasBooked(stripeId: string): Promise<boolean> {
    const sql = stripeId.startsWith('po_')
      ? `SELECT 1 FROM ledger_entries WHERE kind = '${LEDGER_ENTRY_KINDS.sellerPayout}' AND reference_type = 'payout' AND reference_id = $1`
      : stripeId.startsWith('fee_')
        ? `SELECT 1 FROM ledger_lines WHERE account = 'platform_fee_revenue' AND stripe_object_id = $1`
        : stripeId.startsWith('tr_')
          ? `SELECT 1 FROM transfers WHERE stripe_transfer_id = $1`
          : stripeId.startsWith('re_')
            ? `SELECT 1 FROM refunds WHERE stripe_refund_id = $1`
            : `SELECT 1 FROM disputes WHERE stripe_dispute_id = $1`;
    return (await this.db.query(`${sql} LIMIT 1`, [stripeId])).length > 0;
  }

  /** Events about this balance (`platform`: the platform's own) still being worked in the inbox. */
  async eventsInFlightFor(balance: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      balance === 'platform'
        ? `SELECT 1 FROM webhook_events WHERE status IN ('pending', 'processing') AND account IS NULL LIMIT 1`
        : `SELECT 1 FROM webhook_events WHERE status IN ('pending', 'processing') AND account = $1 LIMIT 1`,
      balance === 'platform' ? [] : [balance],
    );
    return rows.length > 0;
  }

  /** The seller whose connected account this is, from the ledger or the onboarding rows. */
  async sellerOfAccount(account: string): Promise<string | null> {
    const rows: Array<{ seller: string }> = await this.db.query(`SELECT seller_id AS seller FROM seller_accounts WHERE stripe_account_id = $1 LIMIT 1`, [account]);
    return rows[0]?.seller ?? null;
  }

  async bookedPayouts(ids: string[]): Promise<Map<string, BookedPayout>> {
    const out = new Map<string, BookedPayout>();
    if (!ids.length) return out;
    const entries: Array<{ po: string; entry: string; returned: boolean }> = await this.db.query(
      `SELECT e.reference_id AS po, e.id AS entry,
              EXISTS (SELECT 1 FROM ledger_entries r WHERE r.kind = $3 AND r.reference_type = 'payout' AND r.reference_id = e.reference_id) AS returned
         FROM ledger_entries e WHERE e.kind = $2 AND e.reference_type = 'payout' AND e.reference_id = ANY($1)`,
      [ids, LEDGER_ENTRY_KINDS.sellerPayout, LEDGER_ENTRY_KINDS.sellerPayoutReturned],
    );
    const allocations: Array<{ po: string; allocated: string; txns: string[] | null; objects: string[] | null }> = await this.db.query(
      `SELECT a.stripe_payout_id AS po, sum(a.amount)::text AS allocated,
              array_agg(DISTINCT l.stripe_balance_transaction_id) FILTER (WHERE a.kind = 'allocated' AND l.stripe_balance_transaction_id IS NOT NULL) AS txns,
              array_agg(DISTINCT l.stripe_object_id) FILTER (WHERE a.kind = 'allocated' AND l.stripe_balance_transaction_id IS NULL AND l.stripe_object_id IS NOT NULL) AS objects
         FROM ledger_payout_allocations a LEFT JOIN ledger_lines l ON l.id = a.line_id
        WHERE a.stripe_payout_id = ANY($1) GROUP BY 1`,
      [ids],
    );
    const attempts: Array<{ po: string; id: string; status: string; request: string; requestStatus: string; approvals: number; approvalsRequired: number }> = await this.db.query(
      `SELECT a.stripe_payout_id AS po, a.id, a.status, a.request_id AS request, r.status AS "requestStatus", r.approvals_required AS "approvalsRequired",
              (SELECT count(*)::int FROM payout_approvals p WHERE p.request_id = r.id) AS approvals
         FROM payout_attempts a JOIN payout_requests r ON r.id = a.request_id WHERE a.stripe_payout_id = ANY($1)`,
      [ids],
    );
    const entryOf = new Map(entries.map((e) => [e.po, e]));
    const allocationOf = new Map(allocations.map((a) => [a.po, a]));
    const attemptOf = new Map(attempts.map((a) => [a.po, a]));
    for (const po of ids) {
      const e = entryOf.get(po);
      const a = allocationOf.get(po);
      const t = attemptOf.get(po);
      out.set(po, {
        entryId: e?.entry ?? null,
        returned: e?.returned ?? false,
        allocated: a ? BigInt(a.allocated) : 0n,
        allocatedTransactions: a?.txns ?? [],
        allocatedObjects: a?.objects ?? [],
        attempt: t ? { id: t.id, status: t.status, requestId: t.request, requestStatus: t.requestStatus, approvals: t.approvals, approvalsRequired: t.approvalsRequired } : null,
      });
    }
    return out;
  }

  /** Our rows of Stripe objects, by Stripe id: transfers, refunds or disputes. */
  async localRows(kind: 'transfer' | 'refund' | 'dispute', ids: string[]): Promise<Map<string, { id: string; status: string; amount: bigint }>> {
    if (!ids.length) return new Map();
    const sql = {
      transfer: `SELECT stripe_transfer_id AS stripe, id, status, amount::text AS amount FROM transfers WHERE stripe_transfer_id = ANY($1)`,
      refund: `SELECT stripe_refund_id AS stripe, id, status, amount::text AS amount FROM refunds WHERE stripe_refund_id = ANY($1)`,
      dispute: `SELECT stripe_dispute_id AS stripe, id, status, amount::text AS amount FROM disputes WHERE stripe_dispute_id = ANY($1)`,
    }[kind];
    const rows: Array<{ stripe: string; id: string; status: string; amount: string }> = await this.db.query(sql, [ids]);
    return new Map(rows.map((r) => [r.stripe, { id: r.id, status: r.status, amount: BigInt(r.amount) }]));
  }

  /** What the ledger booked of application fees: collected (fee revenue lines on the fee) and refunded (the platform cash of its fee refunds). */
  async applicationFees(feeIds: string[], feeRefundIds: string[]): Promise<{ collected: Map<string, bigint>; refunded: Map<string, bigint> }> {
    const collected: Array<{ id: string; total: string }> = feeIds.length
      ? await this.db.query(`SELECT stripe_object_id AS id, (-sum(amount))::text AS total FROM ledger_lines WHERE account = 'platform_fee_revenue' AND stripe_object_id = ANY($1) GROUP BY 1`, [feeIds])
      : [];
    const refunded: Array<{ id: string; total: string }> = feeRefundIds.length
      ? await this.db.query(
          `SELECT stripe_object_id AS id, (-sum(amount))::text AS total FROM ledger_lines
            WHERE account IN ('${CASH_ACCOUNTS.platform.pending}', '${CASH_ACCOUNTS.platform.available}') AND seller_id IS NULL AND stripe_object_id = ANY($1) GROUP BY 1`,
          [feeRefundIds],
        )
      : [];
    return { collected: new Map(collected.map((r) => [r.id, BigInt(r.total)])), refunded: new Map(refunded.map((r) => [r.id, BigInt(r.total)])) };
  }
}
