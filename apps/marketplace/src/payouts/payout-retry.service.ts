import { isUniqueViolation } from '../common/idempotency/idempotency.errors.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service.js';
import { NotFoundError } from '../common/domain-error.js';
import type { Principal } from '../identity/principal.entity.js';
import type { PayoutAttempt } from './payout-attempt.entity.js';
import type { PayoutRequest } from './payout-request.entity.js';
import { PayoutRequestsRepository } from './payout-requests.repository.js';
import { OPEN_PAYOUT_REQUEST_STATUSES } from './payout-status.js';
import { PayoutsErrors } from './payouts.errors.js';

/**
 * A new attempt after a failure is an admin's decision (the seller fixed their bank account, the
 * bank was asked): the request goes failed -> approved (its approvals still hold) and the execution
 * worker makes a new attempt with a new key, after checking the freezes again.
 */
@Injectable()
export class PayoutRetry {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly payouts: PayoutRequestsRepository,
    private readonly audit: AuditLog,
  ) {}

  /** `idempotencyKey` binds the retry to its request (payout_retries): a retry of that request answers the retry it made, never a second one. */
  async retry(id: string, admin: Principal, idempotencyKey: string): Promise<{ request: PayoutRequest; attempts: PayoutAttempt[] }> {
    await this.db.transaction(async (tx) => {
      const request = await this.payouts.lockRequest(tx, id);
      if (!request) throw new NotFoundError('Payout request', id);
      // made already (its api died after the commit, its answer never stored): the request as it is now,
      // not refused (no longer failed) nor, once the new attempt failed too, reopened a second time
      const made: unknown[] = await tx.query(`SELECT 1 FROM payout_retries WHERE principal_id = $1 AND idempotency_key = $2 AND request_id = $3`, [admin.id, idempotencyKey, id]);
      if (made.length > 0) return;
      if (request.status !== 'failed') throw PayoutsErrors.notRetryable(id, request.status);
      const [open]: Array<{ id: string }> = await tx.query(`SELECT id FROM payout_requests WHERE seller_id = $1 AND currency = $2 AND id <> $3 AND status = ANY($4) LIMIT 1`, [
        request.sellerId,
        request.currency,
        id,
        OPEN_PAYOUT_REQUEST_STATUSES,
      ]);
      if (open) throw PayoutsErrors.openRequestExists(id, open.id);
      // a request of the seller's made at this very moment: the unique index refuses, in the same words
      await this.payouts.transitionRequest(tx, id, 'approved', { statusCode: null, statusReason: null, paidAt: null }, ['failed']).catch((error: unknown) => {
        if (isUniqueViolation(error, 'payout_requests_one_open_idx')) throw PayoutsErrors.openRequestExists(id, 'another');
        throw error;
      });
      await tx.query(`INSERT INTO payout_retries (request_id, principal_id, idempotency_key) VALUES ($1, $2, $3)`, [id, admin.id, idempotencyKey]);
      await this.audit.record(tx, {
        subject: { type: 'payout_request', id },
        action: 'payout.retry',
        actor: { id: admin.id, role: 'admin' },
        before: { status: 'failed', statusCode: request.statusCode },
        after: { status: 'approved' },
        reason: request.statusReason,
      });
    });
    const request = (await this.payouts.findRequest(id))!;
    return { request, attempts: await this.payouts.attemptsOf(id) };
  }
}
