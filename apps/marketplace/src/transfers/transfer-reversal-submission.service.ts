import { claimDueRows } from '@app/database';
import { StripeGateway, StripeGatewayError, refusalOf, type BalanceTransactionSnapshot, type IdempotencyKey, type TransferReversalSnapshot } from '@app/stripe';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { ROOT_LOGGER } from '../common/logger.js';
import { disputeRecoveryLines, LEDGER_ENTRY_KINDS, LedgerService, returnReversalLines, transferLines, transferToOtherAccountReversalLines } from '../ledger/index.js';
import { RefundReversalsPlanner, transferReversalKey } from './refund-reversals.planner.js';
import { SellerDebtsService } from './seller-debts.service.js';
import { capReversalAtStripe, originOf, recordPartAsDebt } from './transfer-reversal-cap.js';
import { TransferReversal, type TransferReversalStripeParams } from './transfer-reversal.entity.js';
import { transitionTransferReversal } from './transfer-reversals.repository.js';
import { TransferSubmissionService, transferRetrySeconds } from './transfer-submission.service.js';
import { mayStillLand } from './transfer-status.js';
import { Transfer } from './transfer.entity.js';
import { TransfersConfig } from './transfers.config.js';
import { retryDelaySeconds } from '../payments/refunds/stripe-refusal.js';

export interface ReadReversal {
  reversal: TransferReversalSnapshot;
  platform: BalanceTransactionSnapshot;
  onSeller: BalanceTransactionSnapshot;
}
// how long a reversal waits for its transfer (sent, its outcome not known yet) before looking again
const TRANSFER_WAIT_SECONDS = 15;

/**
 * Drives each due transfer reversal (a refund of a multi-seller order taking a seller's part back
 * from a transfer already made), as the transfers worker does its rows: claimed with a lease (FOR
 * UPDATE SKIP LOCKED), transaction 1 fixes the Stripe params and marks it `submitting`, the call
 * (POST /v1/transfers/:id/reversals, key `transfer-reversal:<refundId>:<sellerId>`, metadata
 * naming the row) runs outside any transaction, transaction 2 records it and books it from its
 * balance transactions on both balances. A row that may have been sent (a crash, a lost answer) is
 * first looked up among the transfer's reversals (metadata.transfer_reversal_id). Stripe refuses a
 * reversal the seller's balance cannot cover (balance_insufficient): nothing moved, the whole part
 * becomes the seller's debt, netted from their next transfers. Other final refusals end `failed`
 * for an admin; anything else is retried with the same key.
 */
@Injectable()
export class TransferReversalSubmissionService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly gateway: StripeGateway,
    private readonly ledger: LedgerService,
    private readonly debts: SellerDebtsService,
    private readonly planner: RefundReversalsPlanner,
    private readonly transfersAtStripe: TransferSubmissionService,
    private readonly config: TransfersConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async runOnce(limit = 20): Promise<number> {
    const ids = await claimDueRows((sql, params) => this.db.query(sql, params).then(([rows]: [Array<{ id: string }>, number]) => rows), {
      table: 'transfer_reversals',
      due: `status IN ('pending', 'submitting')`,
      nextAttemptColumn: 'next_attempt_at',
      orderBy: 'next_attempt_at NULLS FIRST, created_at',
      limit,
      leaseSeconds: this.config.claimLeaseSeconds,
    });
    const due = ids.length ? await this.db.getRepository(TransferReversal).find({ where: { id: In(ids) }, order: { createdAt: 'ASC' } }) : [];
    for (const row of due) await this.reverse(row).catch((error: unknown) => this.recordError(row, error));
    return due.length;
  }

  private async reverse(row: TransferReversal): Promise<void> {
    const transfer = (await this.db.getRepository(Transfer).findOneBy({ id: row.transferId }))!;
    if (row.refundId && (await this.refundFailed(row.refundId))) return this.settleForFailedRefund(row, transfer);
    // canceled after being sent, within Stripe's key memory: the call may still land. Looked up: made,
    // it is recorded (canceled -> succeeded) and reversed as any; not yet, the reversal waits
    if (mayStillLand(transfer)) {
      const made = await this.transfersAtStripe.lookUp(transfer);
      if (!made) return this.waitFor(row, `transfer ${transfer.id} was canceled after being sent: Stripe may still make it until its key is forgotten`);
      await this.transfersAtStripe.record(transfer, made);
      return this.reverse(row);
    }
    // sent, then refused for good (failed, or canceled by an admin, its key forgotten): never made, nothing to reverse
    if (transfer.status === 'failed' || transfer.status === 'canceled') return this.db.transaction((tx) => this.planner.lowerInsteadOfReversal(tx, row.id));
    if (transfer.status !== 'succeeded' || !transfer.stripeTransferId) {
      // sent, not known yet: its worker (or a webhook) settles it first
      return this.waitFor(row, `waiting for transfer ${transfer.id} (${transfer.status})`);
    }
    if (row.keyFirstSentAt) {
      const found = await this.lookUp(transfer.stripeTransferId, row.id);
      if (found) return this.record(row, transfer, found);
    }
    if (!(await capReversalAtStripe({ db: this.db, gateway: this.gateway, debts: this.debts }, row, transfer.stripeTransferId))) return;
    const params: TransferReversalStripeParams = row.stripeParams ?? {
      transfer: transfer.stripeTransferId,
      // a shortfall (more than was left of the transfer) is not asked of Stripe: it is the seller's debt once this is made
      amount: (row.amount - row.shortfall).toString(),
      metadata: { order_id: row.orderId, seller_id: row.sellerId, transfer_reversal_id: row.id, ...(row.refundId ? { refund_id: row.refundId } : { dispute_id: row.disputeId! }) },
    };
    // transaction 1: the intent with its exact params, before Stripe hears of it
    const marked = await transitionTransferReversal(
      this.db.manager,
      row.id,
      'submitting',
      { stripeParams: params, stripeTransferId: params.transfer, keyFirstSentAt: () => 'coalesce(key_first_sent_at, now())', attempts: () => 'attempts + 1' },
      ['pending', 'submitting'],
    );
    if (!marked) return;
    const made = await this.gateway.createTransferReversal({ transferId: params.transfer, amount: BigInt(params.amount), metadata: params.metadata }, row.idempotencyKey as IdempotencyKey);
    await this.record(row, transfer, made);
  }

  private async waitFor(row: TransferReversal, why: string): Promise<void> {
    await transitionTransferReversal(this.db.manager, row.id, 'pending', { nextAttemptAt: () => 'now() + make_interval(secs => :wait)', lastError: why }, ['pending', 'submitting'], {
      wait: TRANSFER_WAIT_SECONDS,
    });
  }

  private async refundFailed(refundId: string): Promise<boolean> {
    const [r]: Array<{ status: string }> = await this.db.query(`SELECT status FROM refunds WHERE id = $1`, [refundId]);
    return r?.status === 'failed';
  }

  /**
   * Its refund failed at Stripe after it succeeded: nothing more is taken from the seller. A
   * reversal that may have been sent is looked up (found: booked, and returned with the rest);
   * one not made is canceled. Then the refund's return is due at once.
   */
  private async settleForFailedRefund(row: TransferReversal, transfer: Transfer): Promise<void> {
    const found = row.keyFirstSentAt && transfer.stripeTransferId ? await this.lookUp(transfer.stripeTransferId, row.id) : undefined;
    if (found) await this.record(row, transfer, found);
    else await transitionTransferReversal(this.db.manager, row.id, 'canceled', { nextAttemptAt: null, lastError: 'its refund failed at Stripe: not made' }, ['pending', 'submitting']);
    await this.db.query(`UPDATE refunds SET failure_return_next_attempt_at = now() WHERE id = $1 AND failure_return_status = 'pending'`, [row.refundId]);
  }

  /**
   * Stripe reverses a transfer_group transfer only within the seller's available balance. Funds
   * still pending on their balance (a transfer with source_transaction follows the charge's
   * availability) will cover it: wait (a new key generation, balance.available makes it due at
   * once). If the seller's whole balance (available + pending) cannot cover it, they paid it out:
   * the whole part is their debt (Stripe refuses the whole reversal, nothing moved).
   */
  private async coverableLater(row: TransferReversal): Promise<boolean> {
    const transfer = (await this.db.getRepository(Transfer).findOneBy({ id: row.transferId }))!;
    const balance = await this.gateway.retrieveBalance(transfer.destination);
    const sum = (xs: Array<{ currency: string; amount: bigint }>) => xs.filter((b) => b.currency.toUpperCase() === row.currency).reduce((s, b) => s + b.amount, 0n);
    return sum(balance.available) + sum(balance.pending) >= row.amount - row.shortfall;
  }

  /** The reversal Stripe made for this row, if any (confirmed by webhooks too). */
  async lookUp(stripeTransferId: string, rowId: string): Promise<TransferReversalSnapshot | undefined> {
    return (await this.gateway.listTransferReversals(stripeTransferId)).find((r) => r.metadata.transfer_reversal_id === rowId);
  }

  /** Records and books a reversal Stripe made, once, whoever learns of it first (this worker, a look-up, a transfer.reversed webhook). */
  async record(row: TransferReversal, transfer: Transfer, reversal: TransferReversalSnapshot): Promise<void> {
    const read = await this.read(transfer, reversal);
    await this.db.transaction((tx) => this.book(tx, row.id, transfer, read));
  }

  /** Both sides of a reversal (outside any transaction): the platform's balance transaction and the py_ refund's on the seller's account. */
  async read(transfer: Transfer, reversal: TransferReversalSnapshot): Promise<ReadReversal> {
    const onSeller = reversal.destinationPaymentRefundId ? await this.gateway.retrieveConnectedRefundTransaction(reversal.destinationPaymentRefundId, transfer.destination) : null;
    if (!reversal.balanceTransaction || !onSeller) throw new Error(`transfer reversal ${reversal.id} was not read on both balances`);
    return { reversal, platform: reversal.balanceTransaction, onSeller };
  }

  /**
   * In the caller's transaction: a row still pending or submitting is succeeded and booked; so is a
   * canceled one (Stripe made it after all: a call that outlived its lease landed after its refund
   * failed and the row was canceled), and what it took is given back to the seller with the refund's
   * return (at once if that ran already). Any other row is left alone.
   */
  async book(tx: EntityManager, rowId: string, transfer: Transfer, read: ReadReversal): Promise<void> {
    const { reversal } = read;
    const row = await tx.findOne(TransferReversal, { where: { id: rowId }, lock: { mode: 'pessimistic_write' } });
    if (row?.status !== 'pending' && row?.status !== 'submitting' && row?.status !== 'canceled') return;
    await transitionTransferReversal(tx, row.id, 'succeeded', { stripeReversalId: reversal.id, succeededAt: new Date(), nextAttemptAt: null, lastError: null }, ['pending', 'submitting', 'canceled']);
    if (row.status === 'canceled')
      this.logger.warn(
        { component: 'transfer-reversals', alert: 'transfer_reversal_made_late', transferReversalId: row.id, stripeReversalId: reversal.id },
        'Stripe made a reversal for a row canceled meanwhile: booked, and given back if its refund failed',
      );
    // its refund failed at Stripe meanwhile: the return of what it took is due now (it waited for this)
    if (row.refundId) await tx.query(`UPDATE refunds SET failure_return_next_attempt_at = now() WHERE id = $1 AND failure_return_status = 'pending'`, [row.refundId]);
    await this.ledger.post(tx, {
      kind: LEDGER_ENTRY_KINDS.transferReversal,
      reference: { type: 'order', id: row.orderId },
      idempotencyKey: `transfer-reversal:${reversal.id}`,
      description: `Reversal ${reversal.id} of transfer ${transfer.stripeTransferId} (${row.refundId ? `refund ${row.refundId}` : `dispute ${row.disputeId}`}, seller ${row.sellerId})`,
      // a refund's part: the platform's refund loss shrinks; a lost dispute's: recovered from the seller
      lines: (row.refundId ? returnReversalLines : disputeRecoveryLines)({
        seller: { kind: 'connected', sellerId: row.sellerId, account: transfer.destination },
        reversal: { platform: { objectId: reversal.id, txn: read.platform }, connected: { objectId: reversal.destinationPaymentRefundId!, txn: read.onSeller } },
      }),
    });
    if (row.shortfall > 0n)
      // the part beyond what was left of the transfer (the seller's debt was netted from it): owed again
      await this.debts.record(tx, {
        sellerId: row.sellerId,
        currency: row.currency,
        amount: row.shortfall,
        originType: 'transfer_reversal',
        originId: row.id,
        orderId: row.orderId,
        reason: `${row.refundId ? `refund ${row.refundId}` : `lost dispute ${row.disputeId}`} wanted ${row.amount}, more than was left of transfer ${transfer.stripeTransferId}`,
        book: true,
        against: row.refundId ? 'refund_losses' : 'dispute_recoveries',
      });
    // made late, after its failed refund's return ran without it: this seller's part is given back now, the same way
    if (row.status === 'canceled' && row.refundId && (await this.failureReturnRan(tx, row.refundId)))
      await this.planner.returnForFailedRefund(tx, { refundId: row.refundId, orderId: row.orderId, sellerId: row.sellerId });
  }

  // not locked (a return running now holds the refund, then waits for this row): one that committed first is seen, one after sees this row succeeded
  private async failureReturnRan(tx: EntityManager, refundId: string): Promise<boolean> {
    const [r]: Array<{ status: string; failure_return_status: string | null }> = await tx.query(`SELECT status, failure_return_status FROM refunds WHERE id = $1`, [refundId]);
    return r?.status === 'failed' && r.failure_return_status !== null && r.failure_return_status !== 'pending';
  }

  /**
   * A reversal of an order transfer made outside the marketplace (the Dashboard): cash moved from the
   * seller's balance back to the platform's, booked once (its ledger key) and alerted; whom it is
   * owed to is for an admin to decide (the seller's payables do not change), as a Dashboard transfer.
   */
  async bookExternal(tx: EntityManager, transfer: Transfer, read: ReadReversal): Promise<void> {
    const { reversal } = read;
    if (!transfer.sellerId) {
      // a Dashboard transfer to an account that is no seller of ours: the platform's cash comes back from the suspense balance
      await this.ledger.post(tx, {
        kind: LEDGER_ENTRY_KINDS.transferReversal,
        reference: { type: 'transfer', id: transfer.id },
        idempotencyKey: `transfer-reversal:${reversal.id}`,
        description: `Reversal ${reversal.id} of transfer ${transfer.stripeTransferId} to ${transfer.destination}, which is no seller of ours (Dashboard)`,
        lines: transferToOtherAccountReversalLines({ reversal: { objectId: reversal.id, txn: read.platform } }),
      });
      return;
    }
    await this.ledger.post(tx, {
      kind: LEDGER_ENTRY_KINDS.transferReversal,
      reference: transfer.orderId ? { type: 'order', id: transfer.orderId } : { type: 'transfer', id: transfer.id },
      idempotencyKey: `transfer-reversal:${reversal.id}`,
      description: `Reversal ${reversal.id} of transfer ${transfer.stripeTransferId} made outside the marketplace (Dashboard), seller ${transfer.sellerId}`,
      lines: transferLines({
        seller: { kind: 'connected', sellerId: transfer.sellerId, account: transfer.destination },
        transfer: { objectId: reversal.id, txn: read.platform },
        payment: { objectId: reversal.destinationPaymentRefundId!, txn: read.onSeller },
      }),
    });
    this.logger.warn(
      { component: 'transfer-reversals', alert: 'transfer_reversal_external', stripeReversalId: reversal.id, stripeTransferId: transfer.stripeTransferId, sellerId: transfer.sellerId },
      'a transfer was reversed outside the marketplace (Dashboard): its cash is booked, the seller payable is for an admin',
    );
  }

  private async recordError(row: TransferReversal, error: unknown): Promise<void> {
    const { code, message } = refusalOf(error);
    const log = { component: 'transfer-reversals', transferReversalId: row.id, refundId: row.refundId, sellerId: row.sellerId, code, message };
    if (error instanceof StripeGatewayError && error.code === 'STRIPE.INSUFFICIENT_BALANCE' && (await this.coverableLater(row))) {
      this.logger.info({ ...log }, "the seller's funds are still pending: the reversal waits for them");
      const generation = row.keyGeneration + 1;
      await transitionTransferReversal(
        this.db.manager,
        row.id,
        'pending',
        {
          keyGeneration: generation,
          idempotencyKey: transferReversalKey(row.refundId ?? row.disputeId!, row.sellerId, generation),
          keyFirstSentAt: null,
          failureCode: code,
          lastError: message,
          nextAttemptAt: () => 'now() + make_interval(secs => :wait)',
        },
        ['pending', 'submitting'],
        { wait: retryDelaySeconds(row.attempts + 1) },
      );
      return;
    }
    if (error instanceof StripeGatewayError && error.code === 'STRIPE.INSUFFICIENT_BALANCE') {
      // Stripe refused the whole reversal (nothing moved) and the seller's balance cannot cover it: they owe their part
      this.logger.warn({ ...log, alert: 'seller_debt' }, "the seller's balance cannot cover the reversal: recorded as their debt");
      await this.db.transaction(async (tx) => {
        const current = await tx.findOne(TransferReversal, { where: { id: row.id }, lock: { mode: 'pessimistic_write' } });
        if (current?.status !== 'pending' && current?.status !== 'submitting') return;
        await transitionTransferReversal(tx, row.id, 'debt', { failureCode: code, lastError: message, nextAttemptAt: null }, ['pending', 'submitting']);
        await recordPartAsDebt(tx, this.debts, row, `reversal for ${originOf(row)} refused by Stripe: ${message}`);
      });
      return;
    }
    if (error instanceof StripeGatewayError && error.definitiveRefusal) {
      this.logger.error({ ...log, alert: 'transfer_reversal_failed' }, 'Stripe refused a transfer reversal: it needs an admin');
      await transitionTransferReversal(this.db.manager, row.id, 'failed', { failureCode: code, lastError: message, nextAttemptAt: null }, ['pending', 'submitting']);
      return;
    }
    this.logger.warn({ ...log, err: error }, 'transfer reversal attempt did not finish; retried with the same key');
    await transitionTransferReversal(this.db.manager, row.id, 'pending', { lastError: message, nextAttemptAt: () => 'now() + make_interval(secs => :delay)' }, ['pending', 'submitting'], {
      delay: transferRetrySeconds(row.attempts + 1, this.config.TRANSFERS_RETRY_BASE_MS),
    });
  }
}
