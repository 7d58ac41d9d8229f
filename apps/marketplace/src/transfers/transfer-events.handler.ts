import { StripeGateway, type StripeEventEnvelope } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { isUuid } from '../common/ids.js';
import { eventObject } from '../payments/stripe-event-object.js';
import { ConnectedAccountDirectory } from '../webhooks/connected-account-directory.js';
import { HandlesStripeEvents, type StripeEventHandler } from '../webhooks/stripe-event-handler.js';
import { isTransferOfRow, TransferOutcomeService, type MadeTransfer } from './transfer-outcome.service.js';
import { TransferReversalSubmissionService, type ReadReversal } from './transfer-reversal-submission.service.js';
import { TransferReversal } from './transfer-reversal.entity.js';
import { Transfer } from './transfer.entity.js';

// rowId null: a reversal made outside the marketplace (the Dashboard), no row of ours
type Reversals = Array<{ rowId: string | null; read: ReadReversal }>;
type Loaded = { kind: 'skip' } | { kind: 'made'; made: MadeTransfer; sellerId: string | null; reversals: Reversals; row: Transfer | null };

/**
 * transfer.created / transfer.updated / transfer.reversed: the transfer is re-read from Stripe (so
 * the order of events does not matter) and confirms its row, found by Stripe id or
 * metadata.transfer_id: a row still pending or submitting (the worker's answer was lost, or this
 * event overtook its commit) is recorded succeeded and booked exactly as the worker would; a row
 * already succeeded is left alone. A transfer with no row of ours (made from the Dashboard) is
 * recorded as an `external` row and booked, never ignored. A destination charge's own transfer
 * (booked with its charge) and our other transfers (a failed refund's return, a dispute's) carry
 * their own metadata and are booked by their own flows. transfer.reversed / transfer.updated also
 * confirm the refunds' reversals of an order transfer (metadata.transfer_reversal_id), booked as
 * their worker would, whichever comes first (a row canceled meanwhile too: Stripe made it after all).
 */
@Injectable()
@HandlesStripeEvents('transfer.created', 'transfer.updated', 'transfer.reversed')
export class TransferEventsHandler implements StripeEventHandler<Loaded> {
  constructor(
    private readonly gateway: StripeGateway,
    private readonly outcome: TransferOutcomeService,
    private readonly accounts: ConnectedAccountDirectory,
    private readonly reversals: TransferReversalSubmissionService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async load(event: StripeEventEnvelope): Promise<Loaded> {
    const id = eventObject(event).id;
    if (typeof id !== 'string' || !id.startsWith('tr_')) return { kind: 'skip' };
    const transfer = await this.gateway.retrieveTransfer(id);
    if (!transfer.metadata.transfer_id) {
      // our other flows' transfers (a failed refund's return, a won dispute's) are booked by them
      if (transfer.metadata.refund_id || transfer.metadata.dispute_id) return { kind: 'skip' };
      // a destination charge's own transfer is booked with its charge
      if (transfer.sourceTransaction?.startsWith('ch_') && (await this.gateway.retrieveCharge(transfer.sourceTransaction)).transferId === transfer.id) return { kind: 'skip' };
    }
    const made = await this.outcome.read(transfer);
    const row = transfer.metadata.transfer_id && isUuid(transfer.metadata.transfer_id) ? await this.db.getRepository(Transfer).findOneBy({ id: transfer.metadata.transfer_id }) : null;
    // a transfer made from the Dashboard (an `external` row, no metadata of ours): its Dashboard reversals are booked too
    const reversals = row ? await this.reversalsOf(event, row, id) : !transfer.metadata.transfer_id ? await this.reversalsOf(event, { destination: transfer.destination } as Transfer, id) : [];
    return { kind: 'made', made, sellerId: await this.accounts.sellerOf(transfer.destination), reversals, row };
  }

  // transfer.reversed / transfer.updated of an order transfer: its reversals our rows asked for, read on both balances
  private async reversalsOf(event: StripeEventEnvelope, row: Transfer, stripeTransferId: string): Promise<Reversals> {
    if (event.type === 'transfer.created') return [];
    const all = await this.gateway.listTransferReversals(stripeTransferId);
    const made = all.filter((r) => isUuid(r.metadata.transfer_reversal_id ?? ''));
    // made outside the marketplace (the Dashboard): no metadata of any flow of ours, booked all the same (once, by its ledger key)
    const external = all.filter((r) => !r.metadata.transfer_reversal_id && !r.metadata.refund_id && !r.metadata.dispute_id);
    const ours = made.length
      ? await this.db.getRepository(TransferReversal).findBy({ id: In(made.map((r) => r.metadata.transfer_reversal_id!)), status: In(['pending', 'submitting', 'canceled']) })
      : [];
    const transfer = { ...row, stripeTransferId } as Transfer;
    return Promise.all([
      ...ours.map(async (o) => ({ rowId: o.id, read: await this.reversals.read(transfer, made.find((r) => r.metadata.transfer_reversal_id === o.id)!) })),
      ...external.map(async (r) => ({ rowId: null, read: await this.reversals.read(transfer, r) })),
    ]);
  }

  async apply(_event: StripeEventEnvelope, tx: EntityManager, loaded: Loaded): Promise<void> {
    if (loaded.kind === 'skip') return;
    const { transfer } = loaded.made;
    if (loaded.row)
      for (const r of loaded.reversals) {
        const row = { ...loaded.row, stripeTransferId: transfer.id } as Transfer;
        if (r.rowId) await this.reversals.book(tx, r.rowId, row, r.read);
        else await this.reversals.bookExternal(tx, row, r.read);
      }
    const byStripeId = await tx.findOne(Transfer, { where: { stripeTransferId: transfer.id }, lock: { mode: 'pessimistic_write' } });
    if (!byStripeId) await this.record(tx, loaded);
    if (loaded.row || loaded.reversals.length === 0) return;
    // a Dashboard transfer's Dashboard reversals, booked against its external row (once each, by their ledger keys)
    const external = await tx.findOne(Transfer, { where: { stripeTransferId: transfer.id, kind: 'external' } });
    if (external) for (const r of loaded.reversals) await this.reversals.bookExternal(tx, external, r.read);
  }

  private async record(tx: EntityManager, loaded: Extract<Loaded, { kind: 'made' }>): Promise<void> {
    const { transfer } = loaded.made;
    const rowId = transfer.metadata.transfer_id;
    const ours = rowId && isUuid(rowId) ? await tx.findOne(Transfer, { where: { id: rowId, kind: In(['order', 'refund_return']) }, lock: { mode: 'pessimistic_write' } }) : null;
    // only a transfer made with the row's own parameters is the row's; a copy of our metadata on another is external
    if (ours && isTransferOfRow(ours, transfer)) {
      await this.outcome.recordMade(tx, ours, loaded.made);
      return;
    }
    const group = transfer.transferGroup && isUuid(transfer.transferGroup) ? transfer.transferGroup : null;
    const orderId = group ? (((await tx.query(`SELECT id FROM orders WHERE id = $1`, [group])) as Array<{ id: string }>)[0]?.id ?? null) : null;
    await this.outcome.recordExternal(tx, loaded.made, loaded.sellerId, orderId);
  }
}
