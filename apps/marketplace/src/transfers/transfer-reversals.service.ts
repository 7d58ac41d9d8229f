import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '../common/domain-error.js';
import { isUuid } from '../common/ids.js';
import { keysetPage, type KeysetOrder, type Page } from '../common/page.js';
import type { PaginationQuery } from '../common/pagination.query.js';
import type { Principal } from '../identity/principal.entity.js';
import { transferReversalKey } from './refund-reversals.planner.js';
import { TransferReversal, type TransferReversalStatus } from './transfer-reversal.entity.js';
import { transitionTransferReversal } from './transfer-reversals.repository.js';
import { TransfersErrors } from './transfers.errors.js';

const REVERSALS_ORDER: KeysetOrder<TransferReversal> = {
  table: 'transfer_reversals',
  idColumn: 'id',
  idIsUuid: true,
  direction: 'DESC',
  keys: (a) => [`${a}.created_at`, `${a}.id`],
  idOf: (r) => r.id,
};

/** Reading transfer reversals (admins), and the admin's retry and cancel of one Stripe refused for good, as TransfersService does transfers. */
@Injectable()
export class TransferReversalsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Newest first. */
  list(filter: { status?: TransferReversalStatus; sellerId?: string } & PaginationQuery): Promise<Page<TransferReversal>> {
    const q = this.db.getRepository(TransferReversal).createQueryBuilder('r');
    if (filter.status) q.andWhere('r.status = :status', { status: filter.status });
    if (filter.sellerId) q.andWhere('r.seller_id = :sellerId', { sellerId: filter.sellerId });
    return keysetPage(q, REVERSALS_ORDER, filter);
  }

  async get(id: string): Promise<TransferReversal> {
    const row = isUuid(id) ? await this.db.getRepository(TransferReversal).findOneBy({ id }) : null;
    if (!row) throw new NotFoundError('Transfer reversal', id);
    return row;
  }

  /**
   * A failed reversal gets a new attempt under a new key (`transfer-reversal:<origin>:<seller>:<n>`:
   * Stripe answers a refused key with the same refusal for 24 h): failed -> pending, made by the
   * reversal worker. One already pending or on its way answers as it is; any other status is 409.
   */
  async retry(id: string): Promise<TransferReversal> {
    const row = await this.get(id);
    if (row.status === 'pending' || row.status === 'submitting') return row;
    if (row.status !== 'failed') throw TransfersErrors.reversalNotRetryable(id, row.status);
    const generation = row.keyGeneration + 1;
    await transitionTransferReversal(
      this.db.manager,
      id,
      'pending',
      {
        keyGeneration: generation,
        idempotencyKey: transferReversalKey(row.refundId ?? row.disputeId!, row.sellerId, generation),
        keyFirstSentAt: null,
        stripeParams: null,
        nextAttemptAt: null,
        failureCode: null,
        lastError: null,
      },
      ['failed'],
    );
    const now = await this.get(id);
    if (now.status !== 'pending' && now.status !== 'submitting' && now.status !== 'succeeded') throw TransfersErrors.reversalNotRetryable(id, now.status);
    return now;
  }

  /**
   * The admin gives up on a failed reversal: failed -> canceled. Nothing moves and nothing is
   * booked: the platform bears the seller's part of the refund (or lost dispute), as it did since
   * Stripe refunded. A canceled one answers as it is.
   */
  async cancel(id: string, admin: Principal): Promise<TransferReversal> {
    const row = await this.get(id);
    if (row.status === 'canceled') return row;
    if (row.status !== 'failed') throw TransfersErrors.reversalNotCancelable(id, row.status);
    await transitionTransferReversal(this.db.manager, id, 'canceled', { canceledBy: admin.id, nextAttemptAt: null }, ['failed']);
    const now = await this.get(id);
    if (now.status !== 'canceled') throw TransfersErrors.reversalNotCancelable(id, now.status);
    return now;
  }
}
