import { idempotencyKeyExpired } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../common/domain-error.js';
import { isUuid } from '../common/ids.js';
import { keysetPage, type KeysetOrder, type Page } from '../common/page.js';
import type { PaginationQuery } from '../common/pagination.query.js';
import type { Principal } from '../identity/principal.entity.js';
import { TransferSubmissionService, transferKey } from './transfer-submission.service.js';
import type { TransferStatus } from './transfer-status.js';
import { Transfer } from './transfer.entity.js';
import { TransfersErrors } from './transfers.errors.js';
import { TransfersRepository } from './transfers.repository.js';

// Stripe keeps an idempotency key 24 h: past that, a key sent once can make nothing any more

const TRANSFERS_ORDER: KeysetOrder<Transfer> = {
  table: 'transfers',
  idColumn: 'id',
  idIsUuid: true,
  direction: 'DESC',
  keys: (a) => [`${a}.created_at`, `${a}.id`],
  idOf: (t) => t.id,
};

/** Reading transfers (admins all, a seller their own), and the admin's retry and cancel. */
@Injectable()
export class TransfersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly transfers: TransfersRepository,
    private readonly submission: TransferSubmissionService,
  ) {}

  /** Newest first. */
  list(filter: { status?: TransferStatus; sellerId?: string } & PaginationQuery): Promise<Page<Transfer>> {
    const q = this.db.getRepository(Transfer).createQueryBuilder('t');
    if (filter.status) q.andWhere('t.status = :status', { status: filter.status });
    if (filter.sellerId) q.andWhere('t.seller_id = :sellerId', { sellerId: filter.sellerId });
    return keysetPage(q, TRANSFERS_ORDER, filter);
  }

  /** An order's transfers as `viewer` may see them: a seller only their own (the caller checked the order is visible). */
  async ofOrder(orderId: string, viewer: Principal, manager?: EntityManager): Promise<Transfer[]> {
    const rows = await this.transfers.ofOrder(orderId, manager);
    return viewer.role === 'seller' ? rows.filter((t) => t.sellerId === viewer.id) : rows;
  }

  async get(id: string): Promise<Transfer> {
    const row = isUuid(id) ? await this.transfers.find(id) : null;
    if (!row) throw new NotFoundError('Transfer', id);
    return row;
  }

  /**
   * A failed transfer gets a new attempt under a new key (`transfer:<id>:<n>`: Stripe answers a
   * refused key with the same refusal for 24 h): failed -> pending, made by the worker. A row
   * already pending or on its way again answers as it is (idempotent); any other status is 409.
   */
  async retry(id: string): Promise<Transfer> {
    const row = await this.get(id);
    if (row.status === 'pending' || row.status === 'submitting') return row;
    if (row.status !== 'failed') throw TransfersErrors.notRetryable(id, row.status);
    const generation = row.keyGeneration + 1;
    const moved = await this.transfers.transition(
      this.db.manager,
      id,
      'pending',
      { keyGeneration: generation, idempotencyKey: transferKey(id, generation), keyFirstSentAt: null, nextAttemptAt: null, failureCode: null, failureMessage: null, waitingReason: null },
      ['failed'],
    );
    const now = await this.get(id);
    if (!moved && now.status !== 'pending' && now.status !== 'submitting' && now.status !== 'succeeded') throw TransfersErrors.notRetryable(id, now.status);
    return now;
  }

  /**
   * The admin gives up on a transfer: failed (or pending and never sent to Stripe) -> canceled. No
   * money moves and nothing is booked: the seller's share stays owed in the ledger (their
   * platform-held payable), visible. A canceled row answers as it is. A row that may have been sent
   * (submitting, or pending with its key sent) is first looked up at Stripe (transfer_group +
   * metadata): found, it is recorded succeeded (409 TRANSFERS.MADE_AT_STRIPE); not found, it is
   * canceled the same way only if no call can still make it (its key older than Stripe's 24 h memory,
   * or the seller cannot receive transfers), else 409 TRANSFERS.MAY_STILL_BE_MADE; never while a worker's
   * claim lease on it runs (submitting: its call may be on its way), 409 TRANSFERS.MAY_STILL_BE_MADE too.
   */
  async cancel(id: string, admin: Principal): Promise<Transfer> {
    const row = await this.get(id);
    if (row.status === 'canceled') return row;
    const sent = row.status === 'submitting' || (row.status === 'pending' && row.keyFirstSentAt !== null);
    if (row.status !== 'failed' && row.status !== 'pending' && !sent) throw TransfersErrors.notCancelable(id, row.status);
    if (sent) await this.assertNotMade(row);
    const from: TransferStatus[] = row.status === 'failed' ? ['failed'] : sent ? ['pending', 'submitting'] : ['pending'];
    // a pending row never sent is canceled only while its key is still unsent; one sent only as the look-up saw it (same key generation)
    const moved = await this.db.transaction(async (tx) => {
      const locked = await tx.findOne(Transfer, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!locked || locked.keyGeneration !== row.keyGeneration || (!sent && locked.status === 'pending' && locked.keyFirstSentAt !== null)) return false;
      // submitting within its worker's claim lease: the call may be on its way and still land (a seller
      // not active in our books is not Stripe refusing it), so it is never canceled under it
      if (locked.status === 'submitting' && (await this.leaseRuns(tx, id))) return 'in_flight';
      return this.transfers.transition(tx, id, 'canceled', { canceledBy: admin.id, nextAttemptAt: null }, from);
    });
    if (moved === 'in_flight') throw TransfersErrors.callOnItsWay(id);
    const now = await this.get(id);
    if (!moved && now.status !== 'canceled') throw TransfersErrors.notCancelable(id, now.status);
    return now;
  }

  // the claim lease (next_attempt_at) of a submitting row, read on the database's clock as it was set
  private async leaseRuns(tx: EntityManager, id: string): Promise<boolean> {
    const [r]: Array<{ runs: boolean }> = await tx.query(`SELECT coalesce(next_attempt_at > now(), false) AS runs FROM transfers WHERE id = $1`, [id]);
    return r?.runs === true;
  }

  private async assertNotMade(row: Transfer): Promise<void> {
    const found = await this.submission.lookUp(row);
    if (found) {
      await this.submission.record(row, found);
      throw TransfersErrors.madeAtStripe(row.id, found.id);
    }
    const forgotten = row.keyFirstSentAt !== null && idempotencyKeyExpired(row.keyFirstSentAt);
    if (!forgotten && !(row.sellerId && (await this.submission.sellerNotActive(row.sellerId)))) throw TransfersErrors.mayStillBeMade(row.id, row.status);
  }
}
