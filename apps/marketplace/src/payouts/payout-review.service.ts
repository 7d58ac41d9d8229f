import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog, type AuditActor } from '../audit/audit-log.service.js';
import { NotFoundError } from '../common/domain-error.js';
import type { Principal } from '../identity/principal.entity.js';
import { PayoutApproval } from './payout-approval.entity.js';
import type { PayoutRequest } from './payout-request.entity.js';
import { PayoutRequestsRepository } from './payout-requests.repository.js';
import { PAYOUT_REQUEST_TRANSITIONS } from './payout-status.js';
import { approvalRefusal, PayoutsErrors } from './payouts.errors.js';

export const REJECTED_CODE = 'PAYOUTS.REJECTED';

/** The request as a decision left it, with its approvals. */
export interface PayoutDecision {
  request: PayoutRequest;
  approvals: PayoutApproval[];
}

const subjectOf = (r: PayoutRequest) => ({ type: 'payout_request', id: r.id });
const actorOf = (admin: Principal): AuditActor => ({ id: admin.id, role: 'admin' });
const statusOf = (r: PayoutRequest) => ({ status: r.status, statusCode: r.statusCode, statusReason: r.statusReason });

/**
 * Admins decide on payout requests: approve (the two-person rule: distinct admins, never the
 * requester; the database holds it too) and reject with a reason the seller sees. Each decision is
 * one transaction on the locked request, with its audit entries.
 */
@Injectable()
export class PayoutReviewService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly requests: PayoutRequestsRepository,
    private readonly audit: AuditLog,
  ) {}

  /** One admin's approval; the last one needed moves the request to approved. Returns the request as it is now. */
  async approve(id: string, admin: Principal, reason: string | null, idempotencyKey: string | null = null): Promise<PayoutDecision> {
    try {
      return await this.db.transaction((tx) => this.approveIn(tx, id, admin, reason, idempotencyKey));
    } catch (error) {
      throw approvalRefusal(error, id, admin.id) ?? error;
    }
  }

  private async approveIn(tx: EntityManager, id: string, admin: Principal, reason: string | null, idempotencyKey: string | null): Promise<PayoutDecision> {
    const request = await this.requests.lockRequest(tx, id);
    if (!request) throw new NotFoundError('Payout request', id);
    if (request.requestedBy === admin.id) throw PayoutsErrors.requesterCannotApprove(id, admin.id);
    const approvals = await tx.find(PayoutApproval, { where: { requestId: id } });
    const mine = approvals.find((a) => a.adminId === admin.id);
    // a retry of the request that made it (its api died before the answer was stored): answered as made
    if (mine && idempotencyKey !== null && mine.idempotencyKey === idempotencyKey) return this.decided(tx, id);
    if (mine) throw PayoutsErrors.alreadyApprovedByYou(id, admin.id);
    if (request.status !== 'pending_review') throw PayoutsErrors.notInReview(id, request.status);

    await tx.insert(PayoutApproval, { requestId: id, adminId: admin.id, idempotencyKey });
    const count = approvals.length + 1;
    await this.audit.record(tx, {
      subject: subjectOf(request),
      action: 'approval_added',
      actor: actorOf(admin),
      before: { approvals: approvals.length, approvalsRequired: request.approvalsRequired },
      after: { approvals: count, approvalsRequired: request.approvalsRequired },
      reason,
    });
    if (count >= request.approvalsRequired) {
      const approvedAt = new Date();
      const moved = await this.requests.transitionRequest(tx, id, 'approved', { approvedAt }, ['pending_review']);
      if (!moved) throw PayoutsErrors.notInReview(id, request.status); // the lock makes this unreachable; never approve silently
      await this.audit.record(tx, {
        subject: subjectOf(request),
        action: 'approved',
        actor: actorOf(admin),
        before: statusOf(request),
        after: { status: 'approved', statusCode: request.statusCode, statusReason: request.statusReason, approvedAt: approvedAt.toISOString() },
        reason,
      });
    }
    return this.decided(tx, id);
  }

  private async decided(tx: EntityManager, id: string): Promise<PayoutDecision> {
    const request = (await this.requests.findRequest(id, tx))!;
    const approvals = await tx.find(PayoutApproval, { where: { requestId: id }, order: { createdAt: 'ASC', adminId: 'ASC' } });
    return { request, approvals };
  }

  /** An admin rejects the request; `reason` is what the seller is shown. Returns the request as it is now. */
  async reject(id: string, admin: Principal, reason: string): Promise<PayoutDecision> {
    return this.db.transaction(async (tx) => {
      const request = await this.requests.lockRequest(tx, id);
      if (!request) throw new NotFoundError('Payout request', id);
      // this very rejection made already (a retry whose api died after the commit, its answer never stored): the decision it made
      if (request.status === 'rejected' && request.rejectedBy === admin.id && request.statusReason === reason) return this.decided(tx, id);
      if (!PAYOUT_REQUEST_TRANSITIONS.rejected.includes(request.status)) throw PayoutsErrors.notRejectable(id, request.status);
      const moved = await this.requests.transitionRequest(tx, id, 'rejected', { statusCode: REJECTED_CODE, statusReason: reason, rejectedBy: admin.id });
      if (!moved) throw PayoutsErrors.notRejectable(id, request.status);
      await this.audit.record(tx, {
        subject: subjectOf(request),
        action: 'rejected',
        actor: actorOf(admin),
        before: statusOf(request),
        after: { status: 'rejected', statusCode: REJECTED_CODE, statusReason: reason, rejectedBy: admin.id },
        reason,
      });
      return this.decided(tx, id);
    });
  }
}
