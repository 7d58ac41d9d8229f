import { StripeGateway, type BalanceTransactionSnapshot, type PayoutSnapshot, type StripeEventEnvelope } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LEDGER_ENTRY_KINDS, LedgerService, PayoutAllocations, platformPayoutLines, sellerPayoutLines } from '../ledger/index.js';
import { ConnectedAccountDirectory } from '../webhooks/connected-account-directory.js';
import { HandlesStripeEvents, type StripeEventHandler } from '../webhooks/stripe-event-handler.js';
import { PayoutLifecycle } from './payout-lifecycle.service.js';

type Loaded =
  | { kind: 'skip' }
  | { kind: 'payout'; sellerId: string; account: string; payout: PayoutSnapshot; returned: BalanceTransactionSnapshot[] }
  | { kind: 'platform'; payout: PayoutSnapshot; returned: BalanceTransactionSnapshot[] };

/**
 * Payouts of sellers' connected accounts (Connect events, `event.account`), booked from the payout
 * re-read from Stripe: its `payout` balance transaction takes the amount out of the seller's
 * connected balance and their available payable (`payout:<po>`); a failed payout's
 * `payout_failure` or a canceled one's `payout_cancel` transaction puts it back
 * (`payout-returned:<txn>`). With the payout's entry, what it paid out (PayoutAllocations; released
 * when it comes back). Keyed on Stripe's ids: duplicates and any order of payout.created,
 * .updated, .paid, .failed and .canceled book each movement once. A payout made for one of our
 * attempts also moves the attempt and its request (PayoutLifecycle); others (Stripe's schedule, the
 * Dashboard) are only booked. The platform's own payouts (platform events, no `event.account`) are
 * booked the same way against `platform_payouts`.
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
    if (!event.objectId?.startsWith('po_')) return { kind: 'skip' };
    if (!event.account) return { kind: 'platform', ...(await this.reread(event.objectId)) };
    const sellerId = await this.accounts.sellerOf(event.account);
    if (!sellerId) return { kind: 'skip' };
    return { kind: 'payout', sellerId, account: event.account, ...(await this.reread(event.objectId, event.account)) };
  }

  /** The payout as Stripe has it now, and the transactions that put its money back (a failure's, a cancel's). */
  private async reread(id: string, account?: string): Promise<{ payout: PayoutSnapshot; returned: BalanceTransactionSnapshot[] }> {
    const payout = await this.gateway.retrievePayout(id, account);
    const returned = payout.failureBalanceTransaction ? [payout.failureBalanceTransaction] : [];
    if (payout.status === 'canceled') returned.push(...(await this.gateway.listBalanceTransactionsOf(payout.id, account)).filter((t) => t.type === 'payout_cancel'));
    return { payout, returned };
  }

  /** The platform's payout to its bank and its return, each once (keyed on Stripe's ids). */
  private async bookPlatformPayout(tx: EntityManager, payout: PayoutSnapshot, returned: BalanceTransactionSnapshot[]): Promise<void> {
    const reference = { type: 'payout', id: payout.id };
    // Stripe paid it out of what it had made available by then: booked available first (as a seller's
    // payout is), or the platform's available cash goes negative beside an inflated pending until the
    // balance.available event or the sweep catches up
    if (payout.balanceTransaction && payout.balanceTransaction.net < 0n) await this.ledger.bookAvailable(tx, payout.created);
    if (payout.balanceTransaction)
      await this.ledger.post(tx, {
        kind: LEDGER_ENTRY_KINDS.platformPayout,
        reference,
        idempotencyKey: `payout:${payout.id}`,
        description: `The platform's payout ${payout.id} of ${payout.amount} ${payout.currency} (${payout.automatic ? 'automatic' : 'manual'}) to its bank`,
        lines: platformPayoutLines({ payout: { objectId: payout.id, txn: payout.balanceTransaction } }),
      });
    for (const txn of returned)
      await this.ledger.post(tx, {
        kind: LEDGER_ENTRY_KINDS.platformPayoutReturned,
        reference,
        idempotencyKey: `payout-returned:${txn.id}`,
        description: `The platform's payout ${payout.id} ${payout.status}${payout.failureCode ? ` (${payout.failureCode})` : ''}: funds back in its balance`,
        lines: platformPayoutLines({ payout: { objectId: payout.id, txn } }),
      });
  }

  async apply(_event: StripeEventEnvelope, tx: EntityManager, loaded: Loaded): Promise<void> {
    if (loaded.kind === 'skip') return;
    if (loaded.kind === 'platform') return this.bookPlatformPayout(tx, loaded.payout, loaded.returned);
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
