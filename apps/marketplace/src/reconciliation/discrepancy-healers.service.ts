import { Inject, Injectable } from '@nestjs/common';
import { RECONCILIATION_GATEWAY, type StripeGateway } from '@app/stripe';
import type { EntityManager } from 'typeorm';
import { LedgerService } from '../ledger/index.js';
import { WebhookBackfillService } from '../webhooks/webhook-backfill.service.js';
import { WebhookInboxService } from '../webhooks/webhook-inbox.service.js';
import { BooksReader } from './books-reader.js';
import type { Discrepancy, HealAction } from './reconciliation-run.js';
import { ReconciliationErrors } from './reconciliation.errors.js';

const DAY_MS = 86_400_000;

/** The heals themselves. */
@Injectable()
export class DiscrepancyHealers {
  constructor(
    @Inject(RECONCILIATION_GATEWAY) private readonly gateway: StripeGateway,
    private readonly backfills: WebhookBackfillService,
    private readonly inbox: WebhookInboxService,
    private readonly ledger: LedgerService,
    private readonly books: BooksReader,
  ) {}

  /** Reads Stripe for the heal and does what needs no transaction of ours (backfill, re-sync into the inbox); `correct` names the entry to negate. */
  async prepare(action: HealAction, d: Discrepancy): Promise<{ result: Record<string, unknown>; correct?: { entryId: string; reason: string } }> {
    if (action === 'backfill') {
      const created = typeof d.details.created === 'string' ? new Date(d.details.created) : d.createdAt;
      const result = await this.backfills.backfill({ from: new Date(created.getTime() - DAY_MS), to: new Date(Math.max(Date.now(), created.getTime()) + DAY_MS) });
      return { result: { window: { from: result.from, to: result.to }, scanned: result.scanned, inserted: result.inserted, eventIds: result.insertedIds } };
    }
    if (action === 'resync') {
      const objectId = d.stripeObjectId;
      const account = d.balance === 'platform' ? null : d.balance;
      const event = objectId ? await this.gateway.resyncEvent(objectId, account, `${d.id.replace(/-/g, '')}_${d.heals.length}`) : null;
      if (!event) throw ReconciliationErrors.noHeal(d.id, d.kind, 'resync');
      const accepted = await this.inbox.accept(event, account ? 'connect' : 'platform', 'backfill');
      return { result: { eventId: event.id, type: event.type, inserted: accepted.inserted } };
    }
    // the one entry on the transaction whose part of its net is the whole difference
    const txn = await this.gateway.retrieveBalanceTransaction(d.stripeBalanceTransactionId!, d.balance === 'platform' ? undefined : d.balance);
    const figures = txn ? (await this.books.figures(d.balance, [{ id: txn.id, source: null }])).get(txn.id) : undefined;
    const difference = txn && figures ? figures.net - txn.net : 0n;
    const entryId = difference === 0n ? null : await this.books.entryAccountingFor(d.balance, txn!.id, difference);
    if (!entryId) throw ReconciliationErrors.noCorrection(d.id);
    return { result: { difference: String(difference) }, correct: { entryId, reason: `reconciliation discrepancy ${d.id}: ${txn!.id} is ${txn!.net} ${txn!.currency} at Stripe` } };
  }

  /** The correcting entry, in the heal's transaction (idempotent on the discrepancy). */
  correct(tx: EntityManager, d: Discrepancy, correction: { entryId: string; reason: string }) {
    return this.ledger.correctMisbooked(tx, correction.entryId, `reconciliation:${d.id}:correct:${d.heals.length}`, correction.reason);
  }
}
