import { StripeGateway, type BalanceTransactionSnapshot, type TransferSnapshot } from '@app/stripe';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { ROOT_LOGGER } from '../common/logger.js';
import { LEDGER_ENTRY_KINDS, LedgerService, orderTransferLines, transferLines, transferToOtherAccountLines } from '../ledger/index.js';
import type { Transfer } from './transfer.entity.js';
import { TransfersRepository } from './transfers.repository.js';

/** A transfer as Stripe made it, read on both balances: the platform's side and the py_ payment's on the seller's. */
export interface MadeTransfer {
  transfer: TransferSnapshot & { balanceTransaction: BalanceTransactionSnapshot; destinationPaymentId: string };
  payment: BalanceTransactionSnapshot;
}

/**
 * Whether `transfer` is the one this row asked for: its metadata names the row and it was made with
 * the row's own parameters (amount, currency, destination, source_transaction, transfer_group). A
 * transfer that only carries a copy of our metadata (made from the Dashboard) is not the row's:
 * taking it for it would record the seller paid with whatever amount it moved.
 */
export function isTransferOfRow(row: Pick<Transfer, 'id' | 'kind' | 'stripeParams'>, transfer: TransferSnapshot): boolean {
  const p = row.stripeParams;
  return (
    (row.kind === 'order' || row.kind === 'refund_return') &&
    !!p &&
    transfer.metadata.transfer_id === row.id &&
    transfer.amount === BigInt(p.amount) &&
    transfer.currency.toLowerCase() === p.currency.toLowerCase() &&
    transfer.destination === p.destination &&
    transfer.sourceTransaction === (p.source_transaction ?? null) &&
    transfer.transferGroup === p.transfer_group
  );
}

/**
 * Records a transfer Stripe made on its row and books it, once, whoever learns of it first (the
 * worker's own answer, a look-up after a lost answer or a crash, or a transfer.* webhook).
 */
@Injectable()
export class TransferOutcomeService {
  constructor(
    private readonly gateway: StripeGateway,
    private readonly transfers: TransfersRepository,
    private readonly ledger: LedgerService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Reads both sides of a transfer (outside any transaction): its balance transaction and the py_ payment's. */
  async read(transfer: TransferSnapshot): Promise<MadeTransfer> {
    const full = transfer.balanceTransaction ? transfer : await this.gateway.retrieveTransfer(transfer.id);
    const payment = full.destinationPaymentId ? await this.gateway.retrieveDestinationPaymentTransaction(full.destinationPaymentId, full.destination) : null;
    if (!full.balanceTransaction || !full.destinationPaymentId || !payment) throw new Error(`transfer ${transfer.id} was not read on both balances`);
    return { transfer: full as MadeTransfer['transfer'], payment };
  }

  /**
   * pending/submitting (or canceled: Stripe made it after all) -> succeeded with Stripe's ids, and the ledger entry `transfer:<tr>` in the
   * same transaction: cash from the platform's balance to the seller's, the seller's payable from
   * platform-held to their py_ payment's side. A row already succeeded is left alone (booked when it
   * moved). Returns whether this call moved it.
   */
  async recordMade(tx: EntityManager, row: Transfer, made: MadeTransfer): Promise<boolean> {
    const { transfer, payment } = made;
    const moved = await this.transfers.transition(tx, row.id, 'succeeded', {
      stripeTransferId: transfer.id,
      stripeBalanceTransactionId: transfer.balanceTransaction.id,
      destinationPaymentId: transfer.destinationPaymentId,
      availableOn: payment.availableOn,
      succeededAt: new Date(),
      nextAttemptAt: null,
      waitingReason: null,
      lastError: null,
      failureCode: null,
      failureMessage: null,
    });
    if (!moved) {
      const current = await this.transfers.find(row.id, tx);
      if (current?.status === 'succeeded' && current.stripeTransferId === transfer.id) return false;
      // Stripe holds a transfer our row says was refused or canceled: never silently absorbed
      throw new Error(`transfer row ${row.id} is ${current?.status ?? 'missing'} (${current?.stripeTransferId ?? 'no Stripe id'}), but Stripe made ${transfer.id} for it`);
    }
    if (!row.sellerId || !row.orderId) throw new Error(`transfer row ${row.id} has no order or seller`);
    await this.ledger.post(tx, {
      kind: LEDGER_ENTRY_KINDS.transfer,
      reference: { type: 'order', id: row.orderId },
      idempotencyKey: `transfer:${transfer.id}`,
      description:
        row.kind === 'refund_return'
          ? `Transfer ${transfer.id}: what failed refund ${row.refundId} took from seller ${row.sellerId} (order ${row.orderId}), given back`
          : `Transfer ${transfer.id} of seller ${row.sellerId}'s share of order ${row.orderId}`,
      lines: orderTransferLines({
        seller: { kind: 'connected', sellerId: row.sellerId, account: transfer.destination },
        transfer: { objectId: transfer.id, txn: transfer.balanceTransaction },
        payment: { objectId: transfer.destinationPaymentId, txn: payment },
      }),
    });
    return true;
  }

  /**
   * A transfer made elsewhere (the Dashboard: no metadata.transfer_id of ours), recorded as an
   * `external` row and booked as cash moving from the platform's balance to the seller's; whom it
   * was owed to is for an admin to decide (the seller's payables do not change).
   */
  async recordExternal(tx: EntityManager, made: MadeTransfer, sellerId: string | null, orderId: string | null): Promise<void> {
    const { transfer, payment } = made;
    const inserted: Array<{ id: string }> = await tx.query(
      `INSERT INTO transfers (kind, status, order_id, seller_id, amount, currency, share, destination, transfer_group, source_transaction,
                              stripe_transfer_id, stripe_balance_transaction_id, destination_payment_id, available_on, succeeded_at)
       VALUES ('external', 'succeeded', $1, $2, $3, $4, $3, $5, $6, $7, $8, $9, $10, $11, now())
       ON CONFLICT (stripe_transfer_id) WHERE stripe_transfer_id IS NOT NULL DO NOTHING RETURNING id`,
      [
        orderId,
        sellerId,
        transfer.amount.toString(),
        transfer.currency,
        transfer.destination,
        transfer.transferGroup,
        transfer.sourceTransaction,
        transfer.id,
        transfer.balanceTransaction.id,
        transfer.destinationPaymentId,
        payment.availableOn,
      ],
    );
    if (inserted.length === 0) return;
    if (!sellerId) {
      // to a connected account that is no seller of ours: the platform's cash left all the same
      await this.ledger.post(tx, {
        kind: LEDGER_ENTRY_KINDS.transfer,
        reference: { type: 'transfer', id: inserted[0]!.id },
        idempotencyKey: `transfer:${transfer.id}`,
        description: `Transfer ${transfer.id} made outside the marketplace (Dashboard) to ${transfer.destination}, which is no seller of ours`,
        lines: transferToOtherAccountLines({ transfer: { objectId: transfer.id, txn: transfer.balanceTransaction } }),
      });
      this.logger.warn(
        { component: 'transfers', alert: 'transfer_to_unknown_account', stripeTransferId: transfer.id, destination: transfer.destination },
        'a transfer was made to a connected account that is no seller of the marketplace: booked to transfers_to_other_accounts for an admin',
      );
      return;
    }
    await this.ledger.post(tx, {
      kind: LEDGER_ENTRY_KINDS.transfer,
      reference: orderId ? { type: 'order', id: orderId } : { type: 'transfer', id: inserted[0]!.id },
      idempotencyKey: `transfer:${transfer.id}`,
      description: `Transfer ${transfer.id} made outside the marketplace (Dashboard) to seller ${sellerId}`,
      lines: transferLines({
        seller: { kind: 'connected', sellerId, account: transfer.destination },
        transfer: { objectId: transfer.id, txn: transfer.balanceTransaction },
        payment: { objectId: transfer.destinationPaymentId, txn: payment },
      }),
    });
  }
}
