import type { StripeGateway } from '@app/stripe';
import type { DataSource, EntityManager } from 'typeorm';
import type { SellerDebtsService } from './seller-debts.service.js';
import type { TransferReversal } from './transfer-reversal.entity.js';
import { transitionTransferReversal } from './transfer-reversals.repository.js';

/**
 * Before a reversal is first asked of Stripe (no params fixed yet): what is left of the transfer as
 * Stripe reports it (`amount - amount_reversed`; reversals outside our rows, e.g. the Dashboard's,
 * or one made after its row was canceled, count too). A part beyond it raises the row's shortfall
 * (the seller's debt once the reversal is made); with nothing left the whole part is the seller's
 * debt now (status `debt`, booked against what the platform bore) and Stripe is not asked.
 * Returns whether the reversal is still to be asked of Stripe.
 */
export async function capReversalAtStripe(deps: { db: DataSource; gateway: StripeGateway; debts: SellerDebtsService }, row: TransferReversal, stripeTransferId: string): Promise<boolean> {
  if (row.stripeParams) return true; // sent (or about to be) with these params: the same key asks the same
  const transfer = await deps.gateway.retrieveTransfer(stripeTransferId);
  const left = transfer.amount - transfer.amountReversed;
  if (row.amount - row.shortfall <= left) return true;
  if (left > 0n) {
    const shortfall = row.amount - left;
    await deps.db.query(`UPDATE transfer_reversals SET shortfall = $2, updated_at = now() WHERE id = $1 AND stripe_params IS NULL AND status IN ('pending', 'submitting')`, [
      row.id,
      shortfall.toString(),
    ]);
    row.shortfall = shortfall;
    return true;
  }
  await deps.db.transaction(async (tx) => {
    if (!(await transitionTransferReversal(tx, row.id, 'debt', { shortfall: row.amount, succeededAt: new Date(), nextAttemptAt: null }, ['pending', 'submitting']))) return;
    await recordPartAsDebt(tx, deps.debts, row, `${originOf(row)} wanted ${row.amount}, nothing was left of transfer ${stripeTransferId} at Stripe`);
  });
  return false;
}

/** `refund <id>` or `lost dispute <id>`: what a reversal row is part of. */
export const originOf = (row: TransferReversal) => (row.refundId ? `refund ${row.refundId}` : `lost dispute ${row.disputeId}`);

/** The row's whole part is the seller's debt (nothing moved at Stripe), booked against what the platform bore (a refund's loss, a lost dispute's). */
export function recordPartAsDebt(tx: EntityManager, debts: SellerDebtsService, row: TransferReversal, reason: string): Promise<void> {
  return debts.record(tx, {
    sellerId: row.sellerId,
    currency: row.currency,
    amount: row.amount,
    originType: 'transfer_reversal',
    originId: row.id,
    orderId: row.orderId,
    reason,
    book: true,
    against: row.refundId ? 'refund_losses' : 'dispute_recoveries',
  });
}
