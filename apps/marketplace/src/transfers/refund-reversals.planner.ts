import { randomUUID } from 'node:crypto';
import { idempotencyKey, type IdempotencyKey } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Money } from '@app/money';
import { LEDGER_ENTRY_KINDS, LedgerService, separateChargeRefundFailedSellerLines, unsentTransferLoweringLines } from '../ledger/index.js';
import { SellerDebt } from './seller-debt.entity.js';
import { SellerDebtsService } from './seller-debts.service.js';
import { TransferReversal } from './transfer-reversal.entity.js';
import { transitionTransferReversal } from './transfer-reversals.repository.js';
import { sellerPartsOfRefund } from './transfer-reversal-sizing.js';
import { mayStillLand } from './transfer-status.js';
import { LOWERING_UNSETTLED } from './transfer-submission.service.js';
import { Transfer } from './transfer.entity.js';
import { TransfersRepository } from './transfers.repository.js';

/** `transfer-reversal:<refundId>:<sellerId>`: one reversal per refund and seller (`:<n>` after n refusals that made nothing). */
export function transferReversalKey(refundId: string, sellerId: string, generation = 0): IdempotencyKey {
  return generation === 0 ? idempotencyKey('transfer-reversal', refundId, sellerId) : idempotencyKey('transfer-reversal', refundId, sellerId, String(generation));
}

/** What a settled refund moved from the sellers' transfers, for its ledger entry. */
export interface RefundSellerParts {
  /** The transfers' currency (empty when nothing was planned). */
  currency: string;
  lowered: Array<{ sellerId: string; amount: bigint }>;
  debts: Array<{ sellerId: string; amount: bigint }>;
}

/**
 * The sellers' side of a refund of a multi-seller order (payments calls it in its own transactions,
 * the order locked). `plan`, with the refund's intent: each seller's part (sellerPartsOfRefund);
 * a transfer never sent to Stripe (pending with no key sent, failed, canceled) is lowered at once,
 * in this transaction, its stored Stripe params with it (canceled at 0), so the worker never sends
 * the old amount; a transfer sent or made is reversed after the refund (a `reversal` row).
 * `activate`, when Stripe refunded: the reversals become due. `cancel`, when Stripe refused the
 * refund: the plan is undone, lowerings given back to transfers still unsent.
 */
@Injectable()
export class RefundReversalsPlanner {
  constructor(
    private readonly transfers: TransfersRepository,
    private readonly debts: SellerDebtsService,
    private readonly ledger: LedgerService,
  ) {}

  async plan(tx: EntityManager, p: { orderId: string; refundId: string; gross: bigint; refundedBefore: bigint; refund: bigint }): Promise<void> {
    await this.planFor(tx, { ...p, origin: { refundId: p.refundId } });
  }

  /**
   * A lost dispute of a multi-seller order (DISPUTE_RECOVERY other than none), recovered from the
   * sellers by the same rule and rows as a refund of the disputed amount, due at once: a transfer
   * never sent is lowered (booked now: disputeLoweringLines), one made is reversed by the reversal
   * worker (booked as a dispute recovery), a reversal Stripe refuses is the seller's debt. Once.
   */
  async recoverLostDispute(tx: EntityManager, p: { orderId: string; disputeId: string; gross: bigint; takenBefore: bigint; disputed: bigint }): Promise<RefundSellerParts> {
    await this.planFor(tx, { orderId: p.orderId, gross: p.gross, refundedBefore: p.takenBefore, refund: p.disputed, origin: { disputeId: p.disputeId } });
    return this.activateRows(tx, await tx.find(TransferReversal, { where: { disputeId: p.disputeId }, lock: { mode: 'pessimistic_write' } }), `lost dispute ${p.disputeId}`);
  }

  private async planFor(tx: EntityManager, p: { orderId: string; gross: bigint; refundedBefore: bigint; refund: bigint; origin: { refundId: string } | { disputeId: string } }): Promise<void> {
    const originId = 'refundId' in p.origin ? p.origin.refundId : p.origin.disputeId;
    const existing = await tx.findBy(TransferReversal, 'refundId' in p.origin ? { refundId: p.origin.refundId } : { disputeId: p.origin.disputeId });
    if (existing.length) return;
    await this.returnFailedFirst(tx, p.orderId);
    const rows = await tx.find(Transfer, { where: { orderId: p.orderId, kind: 'order' }, order: { createdAt: 'ASC', id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    if (rows.length === 0) return;
    // what each seller bore before; a part an admin canceled counts (the platform bore it for them: never taken again)
    const taken: Array<{ seller_id: string; taken: string }> = await tx.query(
      `SELECT seller_id, sum(amount)::text AS taken FROM transfer_reversals
        WHERE order_id = $1 AND (status <> 'canceled' OR canceled_by IS NOT NULL) AND (refund_id IS NULL OR refund_id NOT IN (SELECT id FROM refunds WHERE status = 'failed'))
        GROUP BY seller_id`,
      [p.orderId],
    );
    const parts = sellerPartsOfRefund({
      currency: rows[0]!.currency,
      gross: p.gross,
      refundedBefore: p.refundedBefore,
      refund: p.refund,
      sellers: rows.map((t) => ({ sellerId: t.sellerId!, base: t.share - t.stripeFeeShare, takenBefore: BigInt(taken.find((x) => x.seller_id === t.sellerId)?.taken ?? '0') })),
    });
    for (const [i, t] of rows.entries()) {
      const amount = parts[i]!.amount;
      if (amount <= 0n) continue;
      // canceled after being sent, within Stripe's key memory: it may still land, so the part is a reversal (TransferReversalSubmissionService waits)
      const neverSent = (t.status === 'pending' && t.keyFirstSentAt === null) || t.status === 'failed' || (t.status === 'canceled' && !mayStillLand(t));
      const id = randomUUID();
      let shortfall = 0n;
      if (neverSent) {
        const lowered = amount < t.amount ? amount : t.amount;
        shortfall = amount - lowered;
        await this.lower(tx, t, t.amount - lowered);
      } else {
        // the part is sized on the seller's share; the transfer Stripe holds may be less (their debt
        // was netted from it): never ask Stripe to reverse more than is left of it, the rest is owed
        const room = t.amount - (await this.reversedOrReversing(tx, t.id));
        shortfall = amount > room ? amount - (room > 0n ? room : 0n) : 0n;
      }
      await tx.insert(TransferReversal, {
        id,
        kind: neverSent ? 'lowering' : 'reversal',
        status: 'planned',
        refundId: 'refundId' in p.origin ? p.origin.refundId : null,
        disputeId: 'disputeId' in p.origin ? p.origin.disputeId : null,
        orderId: p.orderId,
        sellerId: t.sellerId!,
        transferId: t.id,
        amount,
        shortfall,
        currency: t.currency,
        stripeParams: null,
        idempotencyKey: transferReversalKey(originId, t.sellerId!),
      });
    }
  }

  /** Stripe refunded: lowerings are done (booked with the refund), reversals become due. Plans a refund made elsewhere (the Dashboard) first. */
  async activate(tx: EntityManager, p: { orderId: string; refundId: string; gross: bigint; refundedBefore: bigint; refund: bigint }): Promise<RefundSellerParts> {
    await this.plan(tx, p);
    return this.activateRows(tx, await tx.find(TransferReversal, { where: { refundId: p.refundId }, lock: { mode: 'pessimistic_write' } }), `refund ${p.refundId}`);
  }

  private async activateRows(tx: EntityManager, rows: TransferReversal[], what: string): Promise<RefundSellerParts> {
    const out: RefundSellerParts = { currency: rows[0]?.currency ?? '', lowered: [], debts: [] };
    for (const r of rows) {
      if (r.status !== 'planned') continue;
      if (r.kind === 'lowering') {
        await this.dueAgain(tx, r.transferId);
        await transitionTransferReversal(tx, r.id, r.shortfall > 0n ? 'debt' : 'succeeded', { succeededAt: new Date() }, ['planned']);
        out.lowered.push({ sellerId: r.sellerId, amount: r.amount });
        if (r.shortfall > 0n) {
          out.debts.push({ sellerId: r.sellerId, amount: r.shortfall });
          await this.debts.record(tx, {
            sellerId: r.sellerId,
            currency: r.currency,
            amount: r.shortfall,
            originType: 'transfer_lowering',
            originId: r.id,
            orderId: r.orderId,
            reason: `${what} wanted ${r.amount}, more than was left of transfer ${r.transferId}`,
            book: false, // booked with the refund (separateChargeRefundLines) or the dispute's lowering (disputeLoweringLines)
          });
        }
      } else if (r.shortfall === r.amount) {
        // nothing is left of the transfer to reverse: the whole part is the seller's debt (booked against what the platform bore)
        await transitionTransferReversal(tx, r.id, 'debt', { succeededAt: new Date() }, ['planned']);
        await this.debts.record(tx, {
          sellerId: r.sellerId,
          currency: r.currency,
          amount: r.amount,
          originType: 'transfer_reversal',
          originId: r.id,
          orderId: r.orderId,
          reason: `${what} wanted ${r.amount}, nothing was left of transfer ${r.transferId} (netted or reversed)`,
          book: true,
          against: r.refundId ? 'refund_losses' : 'dispute_recoveries',
        });
      } else await transitionTransferReversal(tx, r.id, 'pending', { nextAttemptAt: null }, ['planned']);
    }
    return out;
  }

  // what reversals of this transfer took or will take from it at Stripe (a refused one, debt or failed, took nothing)
  private async reversedOrReversing(tx: EntityManager, transferId: string): Promise<bigint> {
    const [row]: Array<{ n: string }> = await tx.query(
      `SELECT coalesce(sum(amount - shortfall), 0)::text AS n FROM transfer_reversals
        WHERE transfer_id = $1 AND kind = 'reversal' AND status IN ('planned', 'pending', 'submitting', 'succeeded')`,
      [transferId],
    );
    return BigInt(row!.n);
  }

  /** Stripe refused the refund: nothing is taken from the sellers; a lowering goes back to its transfer while that was never sent. */
  async cancel(tx: EntityManager, refundId: string): Promise<void> {
    const rows = await tx.find(TransferReversal, { where: { refundId, status: 'planned' }, lock: { mode: 'pessimistic_write' } });
    for (const r of rows) {
      if (r.kind === 'lowering') {
        const t = await tx.findOne(Transfer, { where: { id: r.transferId }, lock: { mode: 'pessimistic_write' } });
        const unsent = t && ((t.status === 'pending' && t.keyFirstSentAt === null) || t.status === 'failed' || (t.status === 'canceled' && t.canceledBy === null));
        if (unsent) await this.lower(tx, t, t.amount + r.amount - r.shortfall);
        // canceled by an admin: the row shows again the amount it had when canceled (still canceled, nothing moves)
        else if (t?.status === 'canceled') await this.restoreOnCanceled(tx, t, r.amount - r.shortfall);
        await this.dueAgain(tx, r.transferId);
      }
      await transitionTransferReversal(tx, r.id, 'canceled');
    }
  }

  /**
   * A succeeded refund Stripe failed later (the order and the refund locked, in undoFailed's
   * transaction): a reversal Stripe never heard of is canceled (nothing to return); one in flight
   * (submitting, or sent with its answer lost) is left to the reversal worker, which only looks it
   * up now (found and booked, or canceled). Returns whether any is still in flight.
   */
  async cancelUnsentForFailedRefund(tx: EntityManager, refundId: string): Promise<boolean> {
    const rows = await tx.find(TransferReversal, { where: { refundId }, lock: { mode: 'pessimistic_write' } });
    let inFlight = false;
    for (const r of rows) {
      if (r.status === 'planned' || (r.status === 'pending' && r.keyFirstSentAt === null)) await transitionTransferReversal(tx, r.id, 'canceled', { nextAttemptAt: null }, ['planned', 'pending']);
      else if (r.status === 'pending' || r.status === 'submitting') inFlight = true;
    }
    return inFlight;
  }

  /**
   * Gives each seller back what a failed refund took from them (the order and the refund locked),
   * once every reversal of it is settled (else `false`: call again later). A lowering goes back to
   * its transfer while that is unsent (amount and stored params, un-canceled), else by a return
   * transfer; a reversal Stripe made and any part of a debt already netted come back by a return
   * transfer (a `refund_return` row, one per refund and seller, driven by the transfers worker);
   * the rest of a debt from that refund is canceled. Booked once (`refund-failed-sellers:<refundId>`).
   * With `sellerId`: that seller's part alone, after the refund's return ran (a reversal Stripe made
   * late for a row canceled meanwhile: TransferReversalSubmissionService.book), booked once
   * (`refund-failed-sellers:<refundId>:<sellerId>`); the seller had no return transfer before (their row was canceled).
   */
  async returnForFailedRefund(tx: EntityManager, p: { refundId: string; orderId: string; sellerId?: string }): Promise<boolean> {
    const rows = await tx.find(TransferReversal, {
      where: { refundId: p.refundId, ...(p.sellerId ? { sellerId: p.sellerId } : {}) },
      order: { createdAt: 'ASC', id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    if (rows.some((r) => r.status === 'planned' || r.status === 'pending' || r.status === 'submitting')) return false;
    const sellers = new Map<string, { owed: bigint; canceled: bigint; returned: bigint; transfer: Transfer }>();
    for (const r of rows) {
      if (r.status !== 'succeeded' && r.status !== 'debt') continue; // canceled or failed: nothing was taken
      const t = (await tx.findOne(Transfer, { where: { id: r.transferId }, lock: { mode: 'pessimistic_write' } }))!;
      const part = sellers.get(r.sellerId) ?? { owed: 0n, canceled: 0n, returned: 0n, transfer: t };
      sellers.set(r.sellerId, part);
      if (r.kind === 'lowering') {
        const give = r.amount - r.shortfall;
        part.owed += give;
        const unsent = (t.status === 'pending' && t.keyFirstSentAt === null) || t.status === 'failed' || (t.status === 'canceled' && t.canceledBy === null);
        if (r.givenBackAt) {
          // already raised back onto the unsent row (giveBackUnsentLowerings): only booked here
        } else if (unsent) await this.lower(tx, t, t.amount + give);
        // an admin gave up on the transfer (nothing moves, the share stays owed): the lowering goes
        // back onto the row, still canceled, never to the seller by a return transfer
        else if (t.status === 'canceled') await this.restoreOnCanceled(tx, t, give);
        else part.returned += give; // sent meanwhile: the difference goes by a return transfer
      } else if (r.status === 'succeeded') {
        // Stripe reversed the part less its shortfall (more than was left of the transfer): the
        // shortfall was a debt of its own (canceled or returned below), never taken by the reversal
        part.owed += r.amount - r.shortfall;
        part.returned += r.amount - r.shortfall;
      }
      const debt = await tx.findOne(SellerDebt, { where: { originId: r.id }, lock: { mode: 'pessimistic_write' } });
      if (debt) {
        const open = debt.amount - debt.recovered - debt.canceled;
        if (open > 0n) await tx.update(SellerDebt, { id: debt.id }, { canceled: debt.canceled + open, clearedAt: new Date() });
        part.canceled += open;
        part.owed += debt.recovered;
        part.returned += debt.recovered;
      }
    }
    const lines = separateChargeRefundFailedSellerLines({ currency: rows[0]?.currency ?? 'USD', sellers: [...sellers].map(([sellerId, s]) => ({ sellerId, owed: s.owed, canceled: s.canceled })) });
    if (lines.length)
      await this.ledger.post(tx, {
        kind: LEDGER_ENTRY_KINDS.refundFailed,
        reference: { type: 'order', id: p.orderId },
        idempotencyKey: p.sellerId ? `refund-failed-sellers:${p.refundId}:${p.sellerId}` : `refund-failed-sellers:${p.refundId}`,
        description: `Refund ${p.refundId} failed at Stripe: what it took from each seller given back`,
        lines,
      });
    for (const [sellerId, s] of sellers) {
      if (s.returned <= 0n) continue;
      const id = randomUUID();
      const t = s.transfer;
      await tx.query(
        `INSERT INTO transfers (id, kind, status, order_id, seller_id, refund_id, amount, currency, share, destination, transfer_group, stripe_params, idempotency_key)
         VALUES ($1, 'refund_return', 'pending', $2, $3, $4, $5, $6, $5, $7, $10, $8, $9)
         ON CONFLICT (refund_id, seller_id) WHERE kind = 'refund_return' DO NOTHING`,
        [
          id,
          p.orderId,
          sellerId,
          p.refundId,
          s.returned.toString(),
          t.currency,
          t.destination,
          JSON.stringify({
            amount: s.returned.toString(),
            currency: t.currency,
            destination: t.destination,
            transfer_group: p.orderId,
            metadata: { order_id: p.orderId, seller_id: sellerId, transfer_id: id, refund_id: p.refundId, reason: 'refund_failed' },
          }),
          idempotencyKey('refund-failed-return', p.refundId, sellerId),
          p.orderId,
        ],
      );
    }
    return true;
  }

  /**
   * A failed refund of the order whose return has not run yet (the payments worker's next round, or
   * a crash after undoFailed committed): given back now, in this transaction (the order locked), so a
   * new part is sized on the transfers as they are once its lowerings went back (else a lowered
   * transfer looks short: the seller would owe a debt for money later raised back and sent to them).
   * One still waiting for a reversal in flight is left to its worker.
   */
  private async returnFailedFirst(tx: EntityManager, orderId: string): Promise<void> {
    const due: Array<{ id: string }> = await tx.query(`SELECT id FROM refunds WHERE order_id = $1 AND status = 'failed' AND failure_return_status = 'pending' ORDER BY created_at, id FOR UPDATE`, [
      orderId,
    ]);
    for (const r of due) {
      if (!(await this.returnForFailedRefund(tx, { refundId: r.id, orderId }))) {
        await this.giveBackUnsentLowerings(tx, r.id);
        continue;
      }
      await tx.query(
        `UPDATE refunds SET failure_return_status = 'returned', failure_return_next_attempt_at = NULL, failure_return_attempts = failure_return_attempts + 1,
                failure_return_error_code = NULL, failure_return_error = NULL, updated_at = now()
          WHERE id = $1 AND failure_return_status = 'pending'`,
        [r.id],
      );
    }
  }

  /**
   * A failed refund whose return waits for a reversal in flight: its lowerings of transfers still
   * unsent go back onto those rows now (marked `given_back_at`; the return books them later), so a
   * new part is sized on what the seller is really owed, not on a row lowered for a refund that failed.
   */
  private async giveBackUnsentLowerings(tx: EntityManager, refundId: string): Promise<void> {
    const rows = await tx.find(TransferReversal, { where: { refundId, kind: 'lowering' }, order: { createdAt: 'ASC', id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    for (const r of rows) {
      if ((r.status !== 'succeeded' && r.status !== 'debt') || r.givenBackAt) continue;
      const t = (await tx.findOne(Transfer, { where: { id: r.transferId }, lock: { mode: 'pessimistic_write' } }))!;
      const unsent = (t.status === 'pending' && t.keyFirstSentAt === null) || t.status === 'failed' || (t.status === 'canceled' && t.canceledBy === null);
      if (!unsent) continue;
      await this.lower(tx, t, t.amount + r.amount - r.shortfall);
      await tx.update(TransferReversal, { id: r.id }, { givenBackAt: new Date() });
    }
  }

  /**
   * A reversal whose transfer never reached the seller after all (sent, then refused for good:
   * failed, or canceled by an admin): nothing to reverse at Stripe. It becomes what the plan would
   * have made had it known, a lowering of that transfer (amount and stored params: an admin retry
   * sends the rest), booked now from the seller's platform-held payable
   * against what the platform bore (a planned lowering is booked with its refund, booked already);
   * beyond what is left of the transfer, the seller's debt. Once: the row locked, still due.
   */
  async lowerInsteadOfReversal(tx: EntityManager, reversalId: string): Promise<void> {
    const r = await tx.findOne(TransferReversal, { where: { id: reversalId }, lock: { mode: 'pessimistic_write' } });
    if (r?.kind !== 'reversal' || (r.status !== 'pending' && r.status !== 'submitting')) return;
    const t = await tx.findOne(Transfer, { where: { id: r.transferId }, lock: { mode: 'pessimistic_write' } });
    if (t?.status !== 'failed' && t?.status !== 'canceled') return;
    const lowered = r.amount < t.amount ? r.amount : t.amount;
    const shortfall = r.amount - lowered;
    await this.lower(tx, t, t.amount - lowered);
    await transitionTransferReversal(tx, r.id, shortfall > 0n ? 'debt' : 'succeeded', { kind: 'lowering', shortfall, succeededAt: new Date(), nextAttemptAt: null, lastError: null }, [
      'pending',
      'submitting',
    ]);
    const against = r.refundId ? 'refund_losses' : 'dispute_recoveries';
    const what = r.refundId ? `refund ${r.refundId}` : `lost dispute ${r.disputeId}`;
    if (lowered > 0n)
      await this.ledger.post(tx, {
        kind: LEDGER_ENTRY_KINDS.transferReversal,
        reference: { type: 'order', id: r.orderId },
        idempotencyKey: `transfer-lowering:${r.id}`,
        description: `${what}: seller ${r.sellerId}'s part lowered from transfer ${t.id} (${t.status} at Stripe, nothing to reverse)`,
        lines: unsentTransferLoweringLines({ sellerId: r.sellerId, amount: Money.of(lowered, r.currency), against }),
      });
    if (shortfall > 0n)
      await this.debts.record(tx, {
        sellerId: r.sellerId,
        currency: r.currency,
        amount: shortfall,
        originType: 'transfer_lowering',
        originId: r.id,
        orderId: r.orderId,
        reason: `${what} wanted ${r.amount}, more than was left of transfer ${t.id}`,
        book: true,
        against,
      });
  }

  // a transfer the worker left waiting for this lowering's refund (TransferSubmissionService) is due at once
  private async dueAgain(tx: EntityManager, transferId: string): Promise<void> {
    await tx.update(Transfer, { id: transferId, status: 'pending', waitingReason: LOWERING_UNSETTLED }, { nextAttemptAt: null, waitingReason: null });
  }

  // an admin-canceled row gets a lowering back onto its amount and params, still canceled
  private async restoreOnCanceled(tx: EntityManager, t: Transfer, give: bigint): Promise<void> {
    const amount = t.amount + give;
    const stripeParams = t.stripeParams ? { ...t.stripeParams, amount: amount.toString() } : null;
    await tx.update(Transfer, { id: t.id }, { amount, stripeParams });
    t.amount = amount;
    t.stripeParams = stripeParams;
  }

  // a transfer's amount and stored Stripe params change together; at 0 a pending row is canceled (nothing to send), back above 0 it is pending again
  private async lower(tx: EntityManager, t: Transfer, amount: bigint): Promise<void> {
    const stripeParams = t.stripeParams ? { ...t.stripeParams, amount: amount.toString() } : null;
    if (amount === 0n && t.status === 'pending') await this.transfers.transition(tx, t.id, 'canceled', { amount, stripeParams, nextAttemptAt: null }, ['pending']);
    else if (amount > 0n && t.status === 'canceled' && t.canceledBy === null) await this.transfers.transition(tx, t.id, 'pending', { amount, stripeParams, nextAttemptAt: null }, ['canceled']);
    else await tx.update(Transfer, { id: t.id }, { amount, stripeParams });
    t.amount = amount;
    t.stripeParams = stripeParams;
  }
}
