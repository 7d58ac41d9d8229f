import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { keysetPage, type KeysetOrder, type Page } from '../common/page.js';
import { LedgerEntry } from '../ledger/ledger-entry.entity.js';
import { LEDGER_ENTRY_KINDS } from '../ledger/index.js';
import type { ListBookedPayoutsQuery } from './dto/list-booked-payouts.query.js';

/** A payout Stripe made from a seller's connected account, as the ledger booked it from its events. */
export interface BookedPayout {
  entryId: string;
  stripePayoutId: string;
  sellerId: string;
  stripeAccount: string;
  /** What left the connected balance, as Stripe's payout balance transaction reports it (minor units). */
  amount: bigint;
  currency: string;
  bookedAt: Date;
  /** Its payout_failure / payout_cancel transaction was booked: the funds are back on the balance. */
  returned: boolean;
  /** Ours (a payout request's attempt), or made by Stripe's own schedule or the Dashboard (null). */
  attempt: { id: string; requestId: string; status: string } | null;
}

const ORDER: KeysetOrder<LedgerEntry> = {
  table: 'ledger_entries',
  idColumn: 'id',
  idIsUuid: true,
  direction: 'DESC',
  keys: (a) => [`${a}.created_at`, `${a}.id`],
  idOf: (e) => e.id,
};

/**
 * Every payout of sellers' connected accounts the ledger booked (automatic ones in PAYOUT_MODE=automatic,
 * ours in reviewed mode, any made in the Dashboard), newest first: what admins see of payouts no one
 * requested. Read from the ledger's `seller_payout` entries, never recomputed.
 */
@Injectable()
export class BookedPayouts {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(query: ListBookedPayoutsQuery): Promise<Page<BookedPayout>> {
    const qb = this.db.getRepository(LedgerEntry).createQueryBuilder('e').where('e.kind = :kind', { kind: LEDGER_ENTRY_KINDS.sellerPayout });
    if (query.sellerId)
      qb.andWhere(`EXISTS (SELECT 1 FROM ledger_lines sl WHERE sl.entry_id = e.id AND sl.account = 'connected_cash_available' AND sl.seller_id = :sellerId)`, { sellerId: query.sellerId });
    const page = await keysetPage(qb, ORDER, query);
    const ids = page.data.map((e) => e.id);
    const rows: Array<{
      entry_id: string;
      seller_id: string;
      stripe_account: string;
      currency: string;
      amount: string;
      returned: boolean;
      attempt_id: string | null;
      request_id: string | null;
      attempt_status: string | null;
    }> = ids.length
      ? await this.db.query(
          `SELECT l.entry_id, l.seller_id, l.stripe_account, l.currency, (-l.amount)::text AS amount,
                  EXISTS (SELECT 1 FROM ledger_entries r WHERE r.kind = $2 AND r.reference_type = 'payout' AND r.reference_id = e.reference_id) AS returned,
                  a.id AS attempt_id, a.request_id, a.status AS attempt_status
             FROM ledger_lines l
             JOIN ledger_entries e ON e.id = l.entry_id
             LEFT JOIN payout_attempts a ON a.stripe_payout_id = e.reference_id
            WHERE l.entry_id = ANY($1) AND l.account = 'connected_cash_available'`,
          [ids, LEDGER_ENTRY_KINDS.sellerPayoutReturned],
        )
      : [];
    const byEntry = new Map(rows.map((r) => [r.entry_id, r]));
    return {
      ...page,
      data: page.data.flatMap((e) => {
        const r = byEntry.get(e.id);
        if (!r) return [];
        return [
          {
            entryId: e.id,
            stripePayoutId: e.referenceId,
            sellerId: r.seller_id,
            stripeAccount: r.stripe_account,
            amount: BigInt(r.amount),
            currency: r.currency,
            bookedAt: e.createdAt,
            returned: r.returned,
            attempt: r.attempt_id ? { id: r.attempt_id, requestId: r.request_id!, status: r.attempt_status! } : null,
          },
        ];
      }),
    };
  }
}
