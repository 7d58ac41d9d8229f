import { Money } from '@app/money';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { isUuid } from '../common/ids.js';
import { keysetPage, mapPage, type KeysetOrder, type Page } from '../common/page.js';
import type { PaginationQuery } from '../common/pagination.query.js';
import { CASH_ACCOUNTS, findLedgerAccount, type LedgerAccountCode } from './chart-of-accounts.js';
import { LedgerEntry } from './ledger-entry.entity.js';
import { LedgerLine } from './ledger-line.entity.js';
import { assertPostableLines, type LedgerLineInput } from './ledger-lines.js';
import { fundsAvailableLines, LEDGER_ENTRY_KINDS, PLATFORM_BALANCE } from './ledger-recipes.js';
import { WebhookInboxService } from '../webhooks/webhook-inbox.service.js';
import { LedgerErrors } from './ledger.errors.js';

export interface NewLedgerEntry {
  /** What happened, e.g. 'charge', 'refund' (see LEDGER_ENTRY_KINDS). */
  kind: string;
  /** What caused it, e.g. { type: 'order', id: order.id }; entriesByReference finds it again. */
  reference: { type: string; id: string };
  /** Derived from the cause (e.g. `charge:<chargeId>`), never random: a retry posts nothing new. */
  idempotencyKey: string;
  description?: string;
  occurredAt?: Date;
  lines: LedgerLineInput[];
}

export type PostedEntry = LedgerEntry & { lines: LedgerLine[] };

// as entriesByReference: entries of one transaction share created_at, occurred_at orders them
const LEDGER_ENTRIES_ORDER: KeysetOrder<LedgerEntry> = {
  table: 'ledger_entries',
  idColumn: 'id',
  idIsUuid: true,
  direction: 'ASC',
  keys: (a) => [`${a}.created_at`, `${a}.occurred_at`, `${a}.id`],
  idOf: (e) => e.id,
};

const NAME = /^[a-z][a-z0-9_.:-]{0,63}$/;

/**
 * The only writer of the journal. `post` and `reverse` run in the CALLER's transaction (the one
 * that records the business change), so the entry commits or rolls back with it; PostgreSQL
 * checks the balance at that COMMIT. Reads use the default connection unless given a manager.
 */
@Injectable()
export class LedgerService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly inbox: WebhookInboxService,
  ) {}

  /**
   * Posts an entry. Idempotent on `idempotencyKey`: a second post with the same key returns the
   * entry already posted and writes nothing (LEDGER.IDEMPOTENCY_KEY_REUSED if its lines differ).
   * Refuses an entry the database would refuse (LEDGER.UNBALANCED, LEDGER.TOO_FEW_LINES, ...).
   */
  async post(tx: EntityManager, entry: NewLedgerEntry): Promise<PostedEntry> {
    this.assertHeader(entry);
    assertPostableLines(entry.lines);
    const posted = await this.insert(tx, entry, null);
    // funds Stripe already made available by the time we book them move at once
    const pending = entry.lines.filter((l) => (l.account === 'platform_cash_pending' || l.account === 'connected_cash_pending') && l.stripe?.balanceTransactionId);
    if (pending.length)
      await this.bookAvailable(
        tx,
        undefined,
        pending.map((l) => l.stripe!.balanceTransactionId!),
      );
    return posted;
  }

  /**
   * Books funds becoming available: for every balance transaction whose pending cash lines do not
   * sum to zero yet and whose available_on is not after `asOf` (default: the latest time Stripe is
   * known to have reached, and never earlier than now), an entry `available:<txn>` moves them from
   * pending to available, with the seller payable booked pending with that transaction. Idempotent:
   * a booked transaction's pending lines sum to zero. Returns how many it booked.
   */
  async bookAvailable(tx: EntityManager, asOf?: Date, onlyTransactions?: string[]): Promise<number> {
    const stripeTime = asOf ?? (await this.inbox.latestStripeTime(tx));
    const at = stripeTime && stripeTime.getTime() > Date.now() ? stripeTime : new Date();
    const params: unknown[] = [at];
    const only = onlyTransactions?.length ? ` AND l.stripe_balance_transaction_id = ANY($${params.push(onlyTransactions)})` : '';
    const due: Array<{
      txn: string;
      account: string;
      seller_id: string | null;
      stripe_account: string | null;
      currency: string;
      object_id: string;
      available_on: Date;
      cash: string;
      payable: string;
    }> = await tx.query(
      `SELECT l.stripe_balance_transaction_id AS txn, l.account, l.seller_id, l.stripe_account, l.currency, min(l.stripe_object_id) AS object_id,
              max(l.available_on) AS available_on, sum(l.amount)::text AS cash,
              (SELECT coalesce(sum(p.amount), 0)::text FROM ledger_lines p
                WHERE p.account = 'seller_payable_pending' AND p.stripe_balance_transaction_id = l.stripe_balance_transaction_id) AS payable
         FROM ledger_lines l
        WHERE l.account IN ('platform_cash_pending', 'connected_cash_pending') AND l.available_on <= $1 AND l.stripe_balance_transaction_id IS NOT NULL${only}
        GROUP BY l.stripe_balance_transaction_id, l.account, l.seller_id, l.stripe_account, l.currency
       HAVING sum(l.amount) <> 0
        ORDER BY max(l.available_on), l.stripe_balance_transaction_id`,
      params,
    );
    for (const row of due) {
      const balance = row.account === 'connected_cash_pending' ? { kind: 'connected' as const, sellerId: row.seller_id!, account: row.stripe_account ?? '' } : PLATFORM_BALANCE;
      const lines = fundsAvailableLines({
        balance,
        cash: Money.of(BigInt(row.cash), row.currency),
        payable: Money.of(BigInt(row.payable), row.currency),
        stripe: { objectId: row.object_id, balanceTransactionId: row.txn, account: row.stripe_account, availableOn: row.available_on },
      });
      await this.insert(
        tx,
        {
          kind: LEDGER_ENTRY_KINDS.fundsAvailable,
          reference: { type: 'balance_transaction', id: row.txn },
          idempotencyKey: `available:${row.txn}`,
          description: `Funds of ${row.txn} (${row.object_id}) available`,
          lines,
        },
        null,
      );
    }
    return due.length;
  }

  /**
   * Posts the negation of an entry (same reference, kind 'reversal'). An entry is reversed at most
   * once (LEDGER.ALREADY_REVERSED); a reversal is not reversed again. Idempotent on the key.
   */
  async reverse(tx: EntityManager, entryId: string, idempotencyKey: string, reason: string): Promise<PostedEntry> {
    const { previous, original } = await this.toNegate(tx, entryId, idempotencyKey);
    if (previous) return previous;
    // a reversal corrects our own bookings; an amount Stripe moved is corrected by what Stripe did next
    if (original.lines.some((l) => l.stripeBalanceTransactionId)) throw LedgerErrors.cannotReverseStripeMovement(entryId);
    const lines = original.lines.map((l) => ({
      account: l.account,
      amount: Money.of(-l.amount, l.currency),
      ...(l.sellerId ? { sellerId: l.sellerId } : {}),
    }));
    const reversal: NewLedgerEntry = {
      kind: LEDGER_ENTRY_KINDS.reversal,
      reference: { type: original.referenceType, id: original.referenceId },
      idempotencyKey,
      description: `Reversal of ${original.id}: ${reason}`,
      lines,
    };
    this.assertHeader(reversal);
    return this.insert(tx, reversal, original.id);
  }

  /**
   * Reconciliation's correction of an entry booked wrong on a Stripe movement: its negation, keeping
   * each line's Stripe references, so the movement's lines sum to what Stripe reports again (never an
   * edit; `reverse` refuses Stripe movements because those are normally corrected by what Stripe did
   * next). Reversed at most once, idempotent on the key.
   */
  async correctMisbooked(tx: EntityManager, entryId: string, idempotencyKey: string, reason: string): Promise<PostedEntry> {
    const { previous, original } = await this.toNegate(tx, entryId, idempotencyKey);
    if (previous) return previous;
    // a pending cash or payable line whose funds were since made available (funds_available moved both, by
    // the line's balance transaction) is negated where they are now, or pending would be left short for good
    const pairs = [...Object.values(CASH_ACCOUNTS), { pending: 'seller_payable_pending', available: 'seller_payable_available' } as const];
    const availableOf = (account: string) => pairs.find((pair) => pair.pending === account)?.available;
    const moved = async (l: LedgerLine): Promise<boolean> => {
      if (!availableOf(l.account) || !l.stripeBalanceTransactionId) return false;
      const [{ left }] = (await tx.query(`SELECT coalesce(sum(amount), 0)::text AS left FROM ledger_lines WHERE account = $1 AND stripe_balance_transaction_id = $2`, [
        l.account,
        l.stripeBalanceTransactionId,
      ])) as [{ left: string }];
      return BigInt(left) === 0n;
    };
    const accounts: LedgerAccountCode[] = [];
    for (const l of original.lines) accounts.push((await moved(l)) ? availableOf(l.account)! : l.account);
    const correction: NewLedgerEntry = {
      kind: LEDGER_ENTRY_KINDS.reconciliationCorrection,
      reference: { type: original.referenceType, id: original.referenceId },
      idempotencyKey,
      description: `Correction of ${original.id}: ${reason}`,
      lines: original.lines.map((l, i) => ({
        account: accounts[i]!,
        amount: Money.of(-l.amount, l.currency),
        ...(l.sellerId ? { sellerId: l.sellerId } : {}),
        ...(l.stripeObjectId || l.stripeBalanceTransactionId
          ? { stripe: { objectId: l.stripeObjectId ?? '', balanceTransactionId: l.stripeBalanceTransactionId, account: l.stripeAccount, availableOn: l.availableOn } }
          : {}),
      })),
    };
    this.assertHeader(correction);
    return this.insert(tx, correction, original.id);
  }

  /**
   * Balance of an account on its normal side (a credit-normal payable of USD 90.00 is +9000),
   * one Money per currency, sorted by currency. On a per-seller account without `sellerId`, the
   * total over all sellers. With `currency` the list has exactly that currency (zero if none).
   */
  async balance(account: LedgerAccountCode, filter: { currency?: string; sellerId?: string } = {}, manager?: EntityManager): Promise<Money[]> {
    const chart = findLedgerAccount(account);
    if (!chart) throw LedgerErrors.unknownAccount(account);
    if (filter.sellerId && !chart.perSeller) throw LedgerErrors.sellerNotAllowed(account);
    const currency = filter.currency ? Money.zero(filter.currency).currency : undefined;
    const params: unknown[] = [account];
    let where = 'account = $1';
    if (currency) where += ` AND currency = $${params.push(currency)}`;
    if (filter.sellerId) where += ` AND seller_id = $${params.push(filter.sellerId)}`;
    const rows: { currency: string; total: string }[] = await (manager ?? this.db.manager).query(
      `SELECT currency, sum(amount)::text AS total FROM ledger_lines WHERE ${where} GROUP BY currency ORDER BY currency`,
      params,
    );
    const sign = chart.normalSide === 'debit' ? 1n : -1n;
    const balances = rows.map((r) => Money.of(BigInt(r.total) * sign, r.currency));
    if (currency && balances.length === 0) return [Money.zero(currency)];
    return balances;
  }

  /** Every entry (with its lines) caused by one thing, oldest first. */
  async entriesByReference(type: string, id: string, manager?: EntityManager): Promise<PostedEntry[]> {
    return (await (manager ?? this.db.manager).find(LedgerEntry, {
      where: { referenceType: type, referenceId: id },
      relations: { lines: true },
      // entries of one transaction share created_at: occurred_at (the moment each was posted) orders them
      order: { createdAt: 'ASC', occurredAt: 'ASC', id: 'ASC' },
    })) as PostedEntry[];
  }

  /** A page of the entries posted for a reference, in the order they were posted (the admin list). */
  async pageEntriesByReference(type: string, id: string, page: PaginationQuery): Promise<Page<PostedEntry>> {
    const q = this.db.getRepository(LedgerEntry).createQueryBuilder('e').where('e.reference_type = :type AND e.reference_id = :id', { type, id });
    const entries = await keysetPage(q, LEDGER_ENTRIES_ORDER, page);
    const ids = entries.data.map((e) => e.id);
    const lines = ids.length ? await this.db.getRepository(LedgerLine).findBy({ entryId: In(ids) }) : [];
    return mapPage(entries, (e) => Object.assign(e, { lines: lines.filter((l) => l.entryId === e.id) }) as PostedEntry);
  }

  private async insert(tx: EntityManager, entry: NewLedgerEntry, reversesEntryId: string | null): Promise<PostedEntry> {
    // ON CONFLICT without a target covers both the idempotency key and "reversed once"; a
    // concurrent post with the same key waits for the other transaction, then finds its entry.
    const inserted: { id: string }[] = await tx.query(
      `INSERT INTO ledger_entries (kind, reference_type, reference_id, idempotency_key, description, occurred_at, reverses_entry_id)
       VALUES ($1, $2, $3, $4, $5, coalesce($6::timestamptz, clock_timestamp()), $7)
       ON CONFLICT DO NOTHING RETURNING id`,
      [entry.kind, entry.reference.type, entry.reference.id, entry.idempotencyKey, entry.description ?? null, entry.occurredAt ?? null, reversesEntryId],
    );
    if (inserted.length === 0) {
      const existing = await this.findByKey(tx, entry.idempotencyKey);
      if (!existing) throw LedgerErrors.alreadyReversed(reversesEntryId ?? '');
      if (!sameEntry(existing, entry, reversesEntryId)) throw LedgerErrors.idempotencyKeyReused(entry.idempotencyKey);
      return existing;
    }
    const entryId = inserted[0]!.id;
    await tx.insert(
      LedgerLine,
      entry.lines.map((l) => ({
        entryId,
        account: l.account,
        sellerId: l.sellerId ?? null,
        currency: l.amount.currency,
        amount: l.amount.minor,
        stripeObjectId: l.stripe?.objectId ?? null,
        stripeBalanceTransactionId: l.stripe?.balanceTransactionId ?? null,
        stripeAccount: l.stripe?.account ?? null,
        availableOn: l.stripe?.availableOn ?? null,
      })),
    );
    const posted = await this.findEntry(tx, entryId);
    return posted!;
  }

  /** The entry a reversal or correction negates, or the one `idempotencyKey` posted already (which must negate that entry). */
  private async toNegate(tx: EntityManager, entryId: string, idempotencyKey: string): Promise<{ previous: PostedEntry; original?: undefined } | { previous?: undefined; original: PostedEntry }> {
    const previous = await this.findByKey(tx, idempotencyKey);
    if (previous) {
      if (previous.reversesEntryId !== entryId) throw LedgerErrors.idempotencyKeyReused(idempotencyKey);
      return { previous };
    }
    const original = await this.findEntry(tx, entryId);
    if (!original) throw LedgerErrors.entryNotFound(entryId);
    if (original.reversesEntryId) throw LedgerErrors.cannotReverseReversal(entryId);
    return { original };
  }

  private async findByKey(tx: EntityManager, idempotencyKey: string): Promise<PostedEntry | null> {
    return (await tx.findOne(LedgerEntry, { where: { idempotencyKey }, relations: { lines: true } })) as PostedEntry | null;
  }

  private async findEntry(tx: EntityManager, id: string): Promise<PostedEntry | null> {
    if (!isUuid(id)) return null;
    return (await tx.findOne(LedgerEntry, { where: { id }, relations: { lines: true } })) as PostedEntry | null;
  }

  private assertHeader(entry: NewLedgerEntry): void {
    if (!NAME.test(entry.kind ?? '')) throw LedgerErrors.invalidEntry(`kind must match ${NAME}`);
    if (!NAME.test(entry.reference?.type ?? '')) throw LedgerErrors.invalidEntry(`reference.type must match ${NAME}`);
    const id = entry.reference?.id;
    if (typeof id !== 'string' || id.length === 0 || id.length > 255) throw LedgerErrors.invalidEntry('reference.id must be 1 to 255 characters');
    const key = entry.idempotencyKey;
    if (typeof key !== 'string' || key.length === 0 || key.length > 255) throw LedgerErrors.invalidEntry('idempotencyKey must be 1 to 255 characters');
  }
}

// A Stripe movement read again later may be `available` where it was `pending` when it was booked
// (its availability is booked by its own entry): the same entry either way.
const sideless = (account: string) => account.replace(/_(pending|available)$/, '');

/**
 * Sums per (account without its pending/available side, seller, currency, the Stripe balance
 * transaction it came from): lines from other Stripe objects are another entry.
 */
function signature(lines: Array<{ account: string; sellerId: string | null; currency: string; amount: bigint; txn: string | null }>): string {
  const sums = new Map<string, bigint>();
  for (const l of lines) {
    const key = `${sideless(l.account)}|${l.sellerId ?? ''}|${l.currency}|${l.txn ?? ''}`;
    sums.set(key, (sums.get(key) ?? 0n) + l.amount);
  }
  return [...sums]
    .filter(([, v]) => v !== 0n)
    .map(([k, v]) => `${k}|${v}`)
    .sort()
    .join(';');
}

/** Same entry as the one asked for: header, and the same amounts per account (pending and available alike), seller and currency. */
function sameEntry(existing: PostedEntry, asked: NewLedgerEntry, reversesEntryId: string | null): boolean {
  if (existing.kind !== asked.kind || existing.referenceType !== asked.reference.type || existing.referenceId !== asked.reference.id) return false;
  if (existing.reversesEntryId !== reversesEntryId) return false;
  const a = signature(existing.lines.map((l) => ({ account: l.account, sellerId: l.sellerId, currency: l.currency, amount: l.amount, txn: l.stripeBalanceTransactionId })));
  const b = signature(asked.lines.map((l) => ({ account: l.account, sellerId: l.sellerId ?? null, currency: l.amount.currency, amount: l.amount.minor, txn: l.stripe?.balanceTransactionId ?? null })));
  return a === b;
}
