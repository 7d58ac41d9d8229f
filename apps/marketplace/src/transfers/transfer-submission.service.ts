import { attemptKey, idempotencyKey, idempotencyKeyMayBeForgotten, refusalOf, StripeGateway, StripeGatewayError, type IdempotencyKey, type TransferSnapshot } from '@app/stripe';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ROOT_LOGGER } from '../common/logger.js';
import { retryDelaySeconds, waitsForFunds } from '../payments/refunds/stripe-refusal.js';
import { SellerNotActiveError } from '../onboarding/onboarding.errors.js';
import { SellerGate } from '../onboarding/seller-gate.service.js';
import { isTransferOfRow, TransferOutcomeService } from './transfer-outcome.service.js';
import { Transfer } from './transfer.entity.js';
import { TransfersConfig } from './transfers.config.js';
import { TransfersRepository } from './transfers.repository.js';

const MAX_RETRY_SECONDS = 600;
// how long a transfer lowered by a refund not settled yet waits before looking again
const UNSETTLED_LOWERING_WAIT_SECONDS = 15;
/** The waiting reason of a transfer lowered by a refund not settled yet; the refund's outcome makes it due at once. */
export const LOWERING_UNSETTLED = 'lowered by a refund not settled yet';

/** `transfer:<id>` for the first key, `transfer:<id>:<n>` for generation n (an admin retry, a key Stripe may have forgotten). */
export function transferKey(rowId: string, generation: number): IdempotencyKey {
  return attemptKey('transfer', rowId, generation);
}

/** A row's key: `transfer:<id>`, or for a failed refund's return `refund-failed-return:<refundId>:<sellerId>` (then `:<n>`). */
export function transferRowKey(row: Pick<Transfer, 'id' | 'kind' | 'refundId' | 'sellerId'>, generation: number): IdempotencyKey {
  if (row.kind !== 'refund_return') return transferKey(row.id, generation);
  const parts = [row.refundId!, row.sellerId!, ...(generation === 0 ? [] : [String(generation)])];
  return idempotencyKey('refund-failed-return', ...parts);
}

/** base, 2 × base, 4 × base ... (TRANSFERS_RETRY_BASE_MS, 5 s by default) capped at 10 minutes, in seconds. */
export function transferRetrySeconds(attempts: number, baseMs: number): number {
  return Math.min((baseMs / 1000) * 2 ** Math.max(0, Math.min(attempts - 1, 12)), MAX_RETRY_SECONDS);
}

/**
 * Drives each transfer row through Stripe, as the transfers worker's round: claimed with a lease
 * (FOR UPDATE SKIP LOCKED), transaction 1 marks it `submitting` with its key, the Stripe call runs
 * with no transaction open, transaction 2 records the outcome and books it. A row that may have
 * been sent before (a crash in submitting, a lost answer) is first looked up at Stripe
 * (transfer_group + metadata.transfer_id) before any create; a key older than ~23 h is never sent
 * again: looked up, and only if absent sent under a new key generation.
 */
@Injectable()
export class TransferSubmissionService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly gateway: StripeGateway,
    private readonly transfers: TransfersRepository,
    private readonly outcome: TransferOutcomeService,
    private readonly gate: SellerGate,
    private readonly config: TransfersConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Works the rows that are due (a batch at once); returns how many it worked. */
  async runOnce(limit = 20, submittedBy: string | null = null): Promise<number> {
    const due = await this.transfers.claimDue(limit);
    await Promise.all(due.map((row) => this.submit(row, submittedBy).catch((error: unknown) => this.recordError(row, error))));
    return due.length;
  }

  private async submit(row: Transfer, submittedBy: string | null): Promise<void> {
    if ((row.kind !== 'order' && row.kind !== 'refund_return') || !row.stripeParams || !row.sellerId) return;
    let generation = row.keyGeneration;
    let firstSentAt = row.keyFirstSentAt;
    // sent before (under this key, or an earlier generation's: an admin retry of a failed row): it may
    // have been made, Stripe's word first
    if (firstSentAt || row.submitAttempts > 0) {
      const found = await this.lookUp(row);
      if (found) return this.record(row, found);
      if (firstSentAt && idempotencyKeyMayBeForgotten(firstSentAt)) {
        // Stripe may have pruned the key and nothing was made under it: a new generation, never a blind resend
        generation++;
        firstSentAt = null;
      }
    }
    const waiting = await this.sellerNotActive(row.sellerId);
    if (waiting) {
      await this.transfers.transition(this.db.manager, row.id, 'pending', { waitingReason: waiting, nextAttemptAt: () => 'now() + make_interval(secs => :wait)' }, ['pending', 'submitting'], {
        wait: this.config.TRANSFERS_INACTIVE_RECHECK_MS / 1000,
      });
      this.logger.warn({ component: 'transfers', transferId: row.id, sellerId: row.sellerId, reason: waiting }, 'transfer waits: the seller is not active');
      return;
    }
    const key = transferRowKey(row, generation);
    // transaction 1: the intent, with its key, before Stripe hears of it
    const sending = await this.db.transaction(async (tx) => {
      // an admin retry since this worker claimed the row (it is slow and its lease ran out) made a new
      // generation: that attempt is another worker's now, never undone by sending the old key
      const current = await tx.findOne(Transfer, { where: { id: row.id }, lock: { mode: 'pessimistic_write' } });
      if (!current?.stripeParams || current.keyGeneration !== row.keyGeneration) return null;
      // lowered by a refund Stripe has not made yet: sent lowered, a refusal of that refund could no
      // longer give the seller their part back (RefundReversalsPlanner.cancel), so it waits for the outcome
      const unsettled: unknown[] = await tx.query(`SELECT 1 FROM transfer_reversals WHERE transfer_id = $1 AND kind = 'lowering' AND status = 'planned' LIMIT 1`, [row.id]);
      if (unsettled.length > 0) {
        await this.transfers.transition(tx, row.id, 'pending', { waitingReason: LOWERING_UNSETTLED, nextAttemptAt: () => 'now() + make_interval(secs => :wait)' }, ['pending', 'submitting'], {
          wait: UNSETTLED_LOWERING_WAIT_SECONDS,
        });
        return null;
      }
      // the row as it is now, locked: a refund may have lowered it (amount and Stripe params) since
      // the claim, which is only a lease; the claimed copy's old amount is never sent
      const moved = await this.transfers.transition(
        tx,
        row.id,
        'submitting',
        {
          keyGeneration: generation,
          idempotencyKey: key,
          keyFirstSentAt: firstSentAt ?? new Date(),
          submitAttempts: () => 'submit_attempts + 1',
          submittedBy,
          waitingReason: null,
        },
        ['pending', 'submitting'],
      );
      return moved ? current : null;
    });
    if (!sending?.stripeParams) return;
    const p = sending.stripeParams;
    const made = await this.gateway.createTransfer(
      {
        amount: BigInt(p.amount),
        currency: p.currency,
        destination: p.destination,
        transferGroup: p.transfer_group,
        sourceTransaction: p.source_transaction,
        metadata: p.metadata,
      },
      key,
    );
    await this.record(sending, made);
  }

  // transaction 2: the outcome, with the ledger entry. The transfer exists: whatever fails here
  // (even a definitive refusal of a read) is never the transfer's refusal, so the row goes back to
  // pending and is looked up again, never `failed` (an admin would retry it into a second transfer).
  async record(row: Transfer, transfer: TransferSnapshot): Promise<void> {
    try {
      const made = await this.outcome.read(transfer);
      await this.db.transaction((tx) => this.outcome.recordMade(tx, row, made));
    } catch (error) {
      throw new Error(`transfer ${transfer.id} was made but not recorded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  /** The transfer Stripe made for this row under any of its keys, if any. */
  async lookUp(row: Transfer): Promise<TransferSnapshot | undefined> {
    const group = row.transferGroup ?? row.stripeParams?.transfer_group;
    if (!group) return undefined;
    try {
      return (await this.gateway.listTransfers({ transferGroup: group })).find((t) => isTransferOfRow(row, t));
    } catch (error) {
      // not the transfer's refusal (it may exist): never `failed`, looked up again later
      throw new Error(`transfer row ${row.id} could not be looked up: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  /** Why the seller cannot receive transfers now (SELLER_NOT_ACTIVE's message), or null. */
  async sellerNotActive(sellerId: string): Promise<string | null> {
    try {
      await this.gate.assertCanReceiveTransfers(sellerId);
      return null;
    } catch (error) {
      if (error instanceof SellerNotActiveError) return error.message.slice(0, 2000);
      throw error;
    }
  }

  // A definitive refusal (the seller's account cannot receive transfers, an invalid request) ends
  // the row `failed` with Stripe's code and message, logged at error for alerting. Anything else
  // (unreachable, 5xx, 429, an unknown outcome) goes back to pending and is retried later with the
  // same key, after a look-up.
  private async recordError(row: Transfer, error: unknown): Promise<void> {
    const refused = error instanceof StripeGatewayError && error.definitiveRefusal;
    const { code, message } = refusalOf(error);
    const log = { component: 'transfers', transferId: row.id, orderId: row.orderId, sellerId: row.sellerId, destination: row.destination, code, message, attempts: row.submitAttempts + 1 };
    if (row.kind === 'refund_return' && waitsForFunds(error)) {
      // a failed refund's return is paid from the platform's available balance: it waits for funds, under a new key (a refused key keeps its refusal)
      this.logger.warn({ ...log }, "the platform's available balance cannot cover a failed refund's return yet: it waits");
      await this.transfers.transition(
        this.db.manager,
        row.id,
        'pending',
        { lastError: message, failureCode: code, keyGeneration: () => 'key_generation + 1', keyFirstSentAt: null, nextAttemptAt: () => 'now() + make_interval(secs => :delay)' },
        ['pending', 'submitting'],
        { delay: retryDelaySeconds(row.submitAttempts + 1) },
      );
      return;
    }
    if (refused) {
      this.logger.error({ ...log, alert: 'transfer_failed' }, 'Stripe refused a transfer: it needs an admin (retry or cancel)');
      await this.transfers.transition(this.db.manager, row.id, 'failed', { failureCode: code, failureMessage: message, lastError: message, nextAttemptAt: null }, ['submitting']);
      return;
    }
    this.logger.warn({ ...log, err: error }, 'transfer attempt did not finish; retried with the same key');
    await this.transfers.transition(this.db.manager, row.id, 'pending', { lastError: message, nextAttemptAt: () => 'now() + make_interval(secs => :delay)' }, ['pending', 'submitting'], {
      delay: transferRetrySeconds(row.submitAttempts + 1, this.config.TRANSFERS_RETRY_BASE_MS),
    });
  }
}
