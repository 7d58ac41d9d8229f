import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { LedgerPayoutAllocation } from './ledger-payout-allocation.entity.js';
import { LEDGER_ENTRY_KINDS } from './ledger-recipes.js';
import { allocatePayout } from './payout-allocation.js';

export interface PayoutToAllocate {
  /** The payout's ledger entry (`payout:<po>`). */
  entryId: string;
  stripePayoutId: string;
  sellerId: string;
  currency: string;
  /** What the payout took from the balance (positive). */
  amount: bigint;
  /** When Stripe made the payout: only what the balance held then can be in it, whatever order the events are worked in. */
  createdAt: Date;
}

/**
 * Records what each payout paid out (ledger_payout_allocations), in the transaction that posts the
 * payout's entry: the seller's connected_cash_available lines of that currency not yet paid out and
 * available by the payout's creation (a later refund, or funds a later payout took first, never stand in it),
 * debits whole, then credits oldest available first (allocatePayout). A returned payout releases its rows. Both are idempotent
 * on the entry, and a seller and currency allocate one at a time (a transaction advisory lock), so
 * two payouts never take the same funds.
 */
@Injectable()
export class PayoutAllocations {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async allocate(tx: EntityManager, payout: PayoutToAllocate): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`payout-allocation:${payout.sellerId}:${payout.currency}`]);
    if (await this.written(tx, payout.entryId)) return;
    const movements: Array<{ id: string; remaining: string }> = await tx.query(
      `SELECT l.id, (l.amount - coalesce((SELECT sum(a.amount) FROM ledger_payout_allocations a WHERE a.line_id = l.id), 0))::text AS remaining
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
        WHERE l.account = 'connected_cash_available' AND l.seller_id = $1 AND l.currency = $2 AND e.kind NOT IN ($3, $4)
          AND coalesce(l.available_on, e.occurred_at) <= $5
        ORDER BY coalesce(l.available_on, e.occurred_at), e.created_at, e.occurred_at, l.id`,
      [payout.sellerId, payout.currency, LEDGER_ENTRY_KINDS.sellerPayout, LEDGER_ENTRY_KINDS.sellerPayoutReturned, payout.createdAt],
    );
    const parts = allocatePayout(
      payout.amount,
      movements.map((m) => ({ lineId: m.id, remaining: BigInt(m.remaining) })),
    );
    await tx.getRepository(LedgerPayoutAllocation).insert(
      parts.map((p, position) => ({
        entryId: payout.entryId,
        payoutEntryId: payout.entryId,
        stripePayoutId: payout.stripePayoutId,
        sellerId: payout.sellerId,
        currency: payout.currency,
        lineId: p.lineId,
        amount: p.amount,
        kind: 'allocated' as const,
        position,
      })),
    );
  }

  /** The payout came back (failed, canceled): its parts are released under the return's entry, so those funds can be paid out again. */
  async release(tx: EntityManager, payout: { entryId: string; returnEntryId: string }): Promise<void> {
    const allocated = await tx.find(LedgerPayoutAllocation, { where: { entryId: payout.entryId, kind: 'allocated' }, order: { position: 'ASC' } });
    if (allocated.length === 0) return;
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`payout-allocation:${allocated[0]!.sellerId}:${allocated[0]!.currency}`]);
    if ((await tx.count(LedgerPayoutAllocation, { where: { payoutEntryId: payout.entryId, kind: 'released' } })) > 0) return;
    await tx.getRepository(LedgerPayoutAllocation).insert(
      allocated.map((a) => ({
        entryId: payout.returnEntryId,
        payoutEntryId: payout.entryId,
        stripePayoutId: a.stripePayoutId,
        sellerId: a.sellerId,
        currency: a.currency,
        lineId: a.lineId,
        amount: -a.amount,
        kind: 'released' as const,
        position: a.position,
      })),
    );
  }

  /** Every row of one Stripe payout (allocated, then released if it came back). */
  rowsOf(stripePayoutId: string, manager: EntityManager = this.db.manager): Promise<LedgerPayoutAllocation[]> {
    return manager.find(LedgerPayoutAllocation, { where: { stripePayoutId }, order: { createdAt: 'ASC', kind: 'ASC', position: 'ASC' } });
  }

  private async written(tx: EntityManager, entryId: string): Promise<boolean> {
    return (await tx.count(LedgerPayoutAllocation, { where: { entryId } })) > 0;
  }
}
