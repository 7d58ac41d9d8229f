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
const HOUR_MS = 3_600_000;

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
  async prepare(action: HealAction, d: Discrepancy): Promise<{ result: Record<string, unknown>; correct?: Correction }> {
    if (action === 'backfill') {
      const created = typeof d.details.created === 'string' ? new Date(d.details.created) : d.createdAt;
      // the subject's own balance, from a little before it was made to now on Stripe's clock (its events follow it)
      const now = (await this.gateway.stripeClock()).getTime() + 60_000;
      const result = await this.backfills.backfill({ from: new Date(created.getTime() - HOUR_MS), to: new Date(Math.max(created.getTime() + DAY_MS, now)) }, d.balance);
      if (result.inserted === 0) throw ReconciliationErrors.healFoundNothing(d.id, 'backfill');
      return { result: { window: { from: result.from, to: result.to }, scanned: result.scanned, inserted: result.inserted, eventIds: result.insertedIds } };
    }
    if (action === 'resync') {
      const objectId = d.stripeObjectId;
      const account = d.balance === 'platform' ? null : d.balance;
      const event = objectId ? await this.gateway.resyncEvent(objectId, account, `${d.id.replace(/-/g, '')}_${d.heals.length}`) : null;
      if (!event) throw ReconciliationErrors.noHeal(d.id, d.kind, 'resync');
      const accepted = await this.inbox.accept(event, account ? 'connect' : 'platform', 'backfill');
      if (!accepted.inserted) throw ReconciliationErrors.healFoundNothing(d.id, 'resync');
      return { result: { eventId: event.id, type: event.type, inserted: accepted.inserted } };
    }
    // the one entry on the transaction whose part of its net is the whole difference; every other
    // movement it booked must be over by exactly its part too, or negating it would break what is right
    const txn = await this.gateway.retrieveBalanceTransaction(d.stripeBalanceTransactionId!, d.balance === 'platform' ? undefined : d.balance);
    const figures = txn ? (await this.books.figures(d.balance, [{ id: txn.id, source: null }])).get(txn.id) : undefined;
    const difference = txn && figures ? figures.net - txn.net : 0n;
    const entryId = difference === 0n ? null : await this.books.entryAccountingFor(d.balance, txn!.id, difference);
    if (!entryId) throw ReconciliationErrors.noCorrection(d.id);
    const movements: CorrectedMovement[] = [];
    for (const part of await this.books.cashContributions(entryId)) {
      const atStripe = part.txn === txn!.id && part.balance === d.balance ? txn : await this.gateway.retrieveBalanceTransaction(part.txn, part.balance === 'platform' ? undefined : part.balance);
      if (!atStripe) throw ReconciliationErrors.noCorrection(d.id);
      movements.push({ balance: part.balance, txn: part.txn, stripeNet: atStripe.net, part: part.amount });
    }
    await this.assertOverByTheirPart(d, movements);
    return {
      result: { difference: String(difference), movements: movements.map((m) => ({ ...m, stripeNet: String(m.stripeNet), part: String(m.part) })) },
      correct: { entryId, movements, reason: `reconciliation discrepancy ${d.id}: ${txn!.id} is ${txn!.net} ${txn!.currency} at Stripe` },
    };
  }

  /** Each movement the entry booked is over Stripe's by exactly the entry's part (read again in the heal's transaction). */
  private async assertOverByTheirPart(d: Discrepancy, movements: CorrectedMovement[], manager?: EntityManager): Promise<void> {
    for (const m of movements) {
      const booked = (await this.books.figures(m.balance, [{ id: m.txn, source: null }], manager)).get(m.txn);
      if (!booked || booked.net - m.stripeNet !== m.part) throw ReconciliationErrors.noCorrection(d.id);
    }
  }

  /** The correcting entry, in the heal's transaction (idempotent on the discrepancy and its heal), once the ledger is seen still over by those parts. */
  async correct(tx: EntityManager, d: Discrepancy, correction: Correction) {
    await this.assertOverByTheirPart(d, correction.movements, tx);
    return this.ledger.correctMisbooked(tx, correction.entryId, `reconciliation:${d.id}:correct:${d.heals.length}`, correction.reason);
  }
}

/** A movement an entry booked wrong: Stripe's net, and the entry's part of what the ledger has. */
interface CorrectedMovement {
  balance: string;
  txn: string;
  stripeNet: bigint;
  part: bigint;
}

interface Correction {
  entryId: string;
  movements: CorrectedMovement[];
  reason: string;
}
