import { Money } from '@app/money';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { keysetPage, type KeysetOrder, type Page } from '../common/page.js';
import type { PaginationQuery } from '../common/pagination.query.js';
import { debtNettingLines, LEDGER_ENTRY_KINDS, LedgerService, sellerDebtLines } from '../ledger/index.js';
import { SellerDebt, SellerDebtRecovery, type SellerDebtOrigin } from './seller-debt.entity.js';

const DEBTS_ORDER: KeysetOrder<SellerDebt> = {
  table: 'seller_debts',
  idColumn: 'id',
  idIsUuid: true,
  direction: 'DESC',
  keys: (a) => [`${a}.created_at`, `${a}.id`],
  idOf: (d) => d.id,
};

/**
 * What sellers owe the platform: recorded when Stripe refused a reversal their balance could not
 * cover (or a refund wanted more than was left of a transfer not sent yet), and netted from that
 * seller's next transfers before they are made (oldest debt first), each netting linked to its
 * transfer and booked. Never absorbed silently: an open debt stays listed until recovered.
 */
@Injectable()
export class SellerDebtsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
  ) {}

  /** Records a debt (once per origin) and, for a refused reversal, books it against what the platform bore so far (a refund's loss, a lost dispute's). */
  async record(
    tx: EntityManager,
    d: {
      sellerId: string;
      currency: string;
      amount: bigint;
      originType: SellerDebtOrigin;
      originId: string;
      orderId: string;
      reason: string;
      book: boolean;
      against?: 'refund_losses' | 'dispute_recoveries';
    },
  ): Promise<void> {
    const inserted: unknown[] = await tx.query(
      `INSERT INTO seller_debts (seller_id, currency, amount, origin_type, origin_id, order_id, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (origin_type, origin_id) DO NOTHING RETURNING id`,
      [d.sellerId, d.currency, d.amount.toString(), d.originType, d.originId, d.orderId, d.reason],
    );
    if (inserted.length === 0 || !d.book) return;
    await this.ledger.post(tx, {
      kind: LEDGER_ENTRY_KINDS.sellerDebt,
      reference: { type: 'order', id: d.orderId },
      idempotencyKey: `seller-debt:${d.originId}`,
      description: `Seller ${d.sellerId} owes ${d.amount} ${d.currency}: ${d.reason}`.slice(0, 500),
      lines: sellerDebtLines({ sellerId: d.sellerId, amount: Money.of(d.amount, d.currency), against: d.against }),
    });
  }

  /**
   * Nets the seller's open debts in `currency` (oldest first, locked) from a transfer about to be
   * planned for at most `available`; links each to the transfer and books it. Returns the netted total.
   */
  async net(tx: EntityManager, p: { sellerId: string; currency: string; transferId: string; orderId: string; available: bigint }): Promise<bigint> {
    const open = await tx
      .getRepository(SellerDebt)
      .createQueryBuilder('d')
      .setLock('pessimistic_write')
      .where('d.seller_id = :seller AND d.currency = :currency AND d.recovered + d.canceled < d.amount', { seller: p.sellerId, currency: p.currency })
      .orderBy('d.created_at', 'ASC')
      .addOrderBy('d.id', 'ASC')
      .getMany();
    let left = p.available;
    let netted = 0n;
    for (const debt of open) {
      if (left <= 0n) break;
      const owed = debt.amount - debt.recovered - debt.canceled;
      const take = owed < left ? owed : left;
      await tx.insert(SellerDebtRecovery, { debtId: debt.id, transferId: p.transferId, amount: take });
      const recovered = debt.recovered + take;
      await tx.update(SellerDebt, { id: debt.id }, { recovered, clearedAt: recovered === debt.amount ? new Date() : null });
      await this.ledger.post(tx, {
        kind: LEDGER_ENTRY_KINDS.sellerDebtNetting,
        reference: { type: 'order', id: p.orderId },
        idempotencyKey: `seller-debt-netting:${debt.id}:${p.transferId}`,
        description: `Debt ${debt.id} of seller ${p.sellerId} netted from transfer ${p.transferId}`,
        lines: debtNettingLines({ sellerId: p.sellerId, amount: Money.of(take, p.currency) }),
      });
      left -= take;
      netted += take;
    }
    return netted;
  }

  /** Newest first; `open` only those not recovered yet. */
  list(filter: { sellerId?: string; open?: boolean } & PaginationQuery): Promise<Page<SellerDebt>> {
    const q = this.db.getRepository(SellerDebt).createQueryBuilder('d');
    if (filter.sellerId) q.andWhere('d.seller_id = :sellerId', { sellerId: filter.sellerId });
    if (filter.open) q.andWhere('d.recovered + d.canceled < d.amount');
    return keysetPage(q, DEBTS_ORDER, filter);
  }

  recoveriesOf(debtIds: string[]): Promise<SellerDebtRecovery[]> {
    if (debtIds.length === 0) return Promise.resolve([]);
    return this.db.getRepository(SellerDebtRecovery).createQueryBuilder('r').where('r.debt_id IN (:...ids)', { ids: debtIds }).orderBy('r.created_at', 'ASC').getMany();
  }
}
