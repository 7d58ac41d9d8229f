import { StripeGateway, type BalanceTransactionSnapshot, type PayoutSnapshot, type StripeEventEnvelope } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LEDGER_ENTRY_KINDS, LedgerService, PayoutAllocations, sellerPayoutLines } from '../ledger/index.js';
import { ConnectedAccountDirectory } from '../webhooks/connected-account-directory.js';
import { HandlesStripeEvents, type StripeEventHandler } from '../webhooks/stripe-event-handler.js';
import { PayoutLifecycle } from './payout-lifecycle.service.js';

type Loaded = { kind: 'skip' } | { kind: 'payout'; sellerId: string; account: string; payout: PayoutSnapshot; returned: BalanceTransactionSnapshot[] };

/**
 * Payouts of sellers' connected accounts (Connect events, `event.account`), booked from the payout
 * re-read from Stripe: its `payout` balance transaction takes the amount out of the seller's
 * connected balance and their available payable (`payout:<po>`); a failed payout's
 * `payout_failure` or a canceled one's `payout_cancel` transaction puts it back
 * (`payout-returned:<txn>`). With the payout's entry, what it paid out (PayoutAllocations; released
 * when it comes back). Keyed on Stripe's ids: duplicates and any order of payout.created,
 * .updated, .paid, .failed and .canceled book each movement once. A payout made for one of our
 * attempts also moves the attempt and its request (PayoutLifecycle); others (Stripe's schedule, the
 * Dashboard) are only booked.
 */
@Injectable()
@HandlesStripeEvents('payout.created', 'payout.updated', 'payout.paid', 'payout.failed', 'payout.canceled', 'payout.reconciliation_completed')
export class PayoutEventsHandler implements StripeEventHandler<Loaded> {
  constructor(
    private readonly gateway: StripeGateway,
    private readonly ledger: LedgerService,
    private readonly accounts: ConnectedAccountDirectory,
    private readonly allocations: PayoutAllocations,
    private readonly lifecycle: PayoutLifecycle,
  ) {}

  async load(event: StripeEventEnvelope): Promise<Loaded> {
    // the platform's own payouts leave the marketplace's books alone (not modelled yet)
    if (!event.account || !event.objectId?.startsWith('po_')) return { kind: 'skip' };
    const sellerId = await this.accounts.sellerOf(event.account);
    if (!sellerId) return { kind: 'skip' };
    const payout = await this.gateway.retrievePayout(event.objectId, event.account);
    const returned = payout.failureBalanceTransaction ? [payout.failureBalanceTransaction] : [];
    if (payout.status === 'canceled') returned.push(...(await this.gateway.listBalanceTransactionsOf(payout.id, event.account)).filter((t) => t.type === 'payout_cancel'));
    return { kind: 'payout', sellerId, account: event.account, payout, returned };
  }

  async apply(_event: StripeEventEnvelope, tx: EntityManager, loaded: Loaded): Promise<void> {
    if (loaded.kind === 'skip') return;
    const { payout } = loaded;
    const seller = { kind: 'connected' as const, sellerId: loaded.sellerId, account: loaded.account };
    const reference = { type: 'payout', id: payout.id };
    let payoutEntryId: string | null = null;
    if (payout.balanceTransaction) {
      const entry = await this.ledger.post(tx, {
        kind: LEDGER_ENTRY_KINDS.sellerPayout,
        reference,
        idempotencyKey: `payout:${payout.id}`,
        description: `Payout ${payout.id} of ${payout.amount} ${payout.currency} (${payout.automatic ? 'automatic' : 'manual'}) from ${loaded.account}`,
        lines: sellerPayoutLines({ seller, payout: { objectId: payout.id, txn: payout.balanceTransaction } }),
      });
      payoutEntryId = entry.id;
      const paidOut = -payout.balanceTransaction.net;
      // what Stripe had made available by the payout's creation is available in the ledger before it is
      // allocated, whichever event came first (balance.available may be worked after payout.created)
      if (paidOut > 0n) await this.ledger.bookAvailable(tx, payout.created);
      if (paidOut > 0n)
        await this.allocations.allocate(tx, {
          entryId: entry.id,
          stripePayoutId: payout.id,
          sellerId: loaded.sellerId,
          currency: payout.balanceTransaction.currency,
          amount: paidOut,
          createdAt: payout.created,
        });
    }
    for (const txn of loaded.returned) {
      const returned = await this.ledger.post(tx, {
        kind: LEDGER_ENTRY_KINDS.sellerPayoutReturned,
        reference,
        idempotencyKey: `payout-returned:${txn.id}`,
        description: `Payout ${payout.id} ${payout.status}${payout.failureCode ? ` (${payout.failureCode})` : ''}: funds back in ${loaded.account}`,
        lines: sellerPayoutLines({ seller, payout: { objectId: payout.id, txn } }),
      });
      if (payoutEntryId) await this.allocations.release(tx, { entryId: payoutEntryId, returnEntryId: returned.id });
    }
    await this.lifecycle.apply(tx, loaded.account, payout);
  }
}
