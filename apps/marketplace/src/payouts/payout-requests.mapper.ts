import { formatMoney, Money } from '@app/money';
import { ApiProperty } from '@nestjs/swagger';
import type { PayoutAttempt } from './payout-attempt.entity.js';
import type { PayoutRequest } from './payout-request.entity.js';
import type { PayoutRunListing } from './payout-request-schedule.service.js';
import { PAYOUT_ATTEMPT_STATUSES, PAYOUT_REQUEST_STATUSES } from './payout-status.js';

const display = (minor: bigint, currency: string) => formatMoney(Money.of(minor, currency));

export class PayoutAttemptSummaryResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: PAYOUT_ATTEMPT_STATUSES }) status: string;
  @ApiProperty({ type: String, nullable: true, description: "Stripe's payout id (po_...), once Stripe has it" }) stripePayoutId: string | null;
  @ApiProperty({ type: String, nullable: true, description: "Stripe's failure code of the payout (e.g. account_closed)" }) failureCode: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'What failed, in words' }) failureMessage: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'When the bank should have the funds, as Stripe expects' }) arrivalDate: string | null;
  @ApiProperty({ type: String, nullable: true }) paidAt: string | null;
  @ApiProperty({ type: String, nullable: true }) failedAt: string | null;
  @ApiProperty() createdAt: string;
}

export class PayoutRequestResponse {
  @ApiProperty() id: string;
  @ApiProperty() sellerId: string;
  @ApiProperty() currency: string;
  @ApiProperty({ description: 'Minor units as a string' }) amount: string;
  @ApiProperty({ example: 'USD 25.00' }) display: string;
  @ApiProperty({ enum: ['schedule', 'seller', 'admin'], description: 'Who made it: the scheduled job, the seller, an admin' }) origin: string;
  @ApiProperty({ description: 'Why it was made, in words' }) reason: string;
  @ApiProperty({ enum: PAYOUT_REQUEST_STATUSES }) status: string;
  @ApiProperty({ type: String, nullable: true, description: 'Why it waits, was rejected or failed, as a code (e.g. PAYOUTS.BALANCE_MISMATCH)' }) statusCode: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The same in words; set for every held, frozen, rejected or failed request' }) statusReason: string | null;
  @ApiProperty({ description: 'Distinct admins who must approve it (2 above PAYOUT_TWO_PERSON_THRESHOLD)' }) approvalsRequired: number;
  @ApiProperty({ type: String, nullable: true, description: "The connected account's available balance at Stripe at the last check (minor units)" }) stripeAvailable: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The ledger's available balance of that account at the last check (minor units)" }) ledgerAvailable: string | null;
  @ApiProperty({ type: [PayoutAttemptSummaryResponse], description: 'Each Stripe payout made for it, oldest first' }) attempts: PayoutAttemptSummaryResponse[];
  @ApiProperty({ type: String, nullable: true }) approvedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) paidAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

/** The words of a request's status: its own reason, or for a failed one without it, its last attempt's failure. */
export function statusReasonOf(r: PayoutRequest, attempts: readonly PayoutAttempt[]): string | null {
  if (r.statusReason) return r.statusReason;
  const last = attempts[attempts.length - 1];
  switch (r.status) {
    case 'failed':
      return last?.failureMessage ?? (last?.failureCode ? `Stripe failed the payout (${last.failureCode})` : 'Stripe failed the payout');
    case 'held':
      return 'Held until the balance check passes';
    case 'frozen':
      return 'Frozen: the seller cannot be paid out right now';
    case 'rejected':
      return 'Rejected by an admin';
    default:
      return null;
  }
}

export function toPayoutAttemptSummary(a: PayoutAttempt): PayoutAttemptSummaryResponse {
  return {
    id: a.id,
    status: a.status,
    stripePayoutId: a.stripePayoutId,
    failureCode: a.failureCode,
    failureMessage: a.failureMessage,
    arrivalDate: a.arrivalDate?.toISOString() ?? null,
    paidAt: a.paidAt?.toISOString() ?? null,
    failedAt: a.failedAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
  };
}

export function toPayoutRequestResponse(r: PayoutRequest, attempts: readonly PayoutAttempt[] = []): PayoutRequestResponse {
  return {
    id: r.id,
    sellerId: r.sellerId,
    currency: r.currency,
    amount: r.amount.toString(),
    display: display(r.amount, r.currency),
    origin: r.origin,
    reason: r.reason,
    status: r.status,
    statusCode: r.statusCode,
    statusReason: statusReasonOf(r, attempts),
    approvalsRequired: r.approvalsRequired,
    stripeAvailable: r.stripeAvailable?.toString() ?? null,
    ledgerAvailable: r.ledgerAvailable?.toString() ?? null,
    attempts: attempts.map(toPayoutAttemptSummary),
    approvedAt: r.approvedAt?.toISOString() ?? null,
    paidAt: r.paidAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export class PayoutRunResponse {
  @ApiProperty({ type: String, nullable: true, description: 'The run (null: a missed slot)' }) id: string | null;
  @ApiProperty({ description: 'The scheduled moment it stands for (an admin run: when it was asked for)' }) slot: string;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed', 'missed'], description: 'missed: the schedule had this slot and no run happened for it' }) status: string;
  @ApiProperty({ type: String, nullable: true, enum: ['schedule', 'admin'] }) trigger: string | null;
  @ApiProperty({ type: String, nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) finishedAt: string | null;
  @ApiProperty() sellersConsidered: number;
  @ApiProperty() requestsCreated: number;
  @ApiProperty({ description: 'Sellers whose balance could not be read (the run went on without them)' }) sellersFailed: number;
  @ApiProperty({ type: String, nullable: true, description: 'What went wrong, in words' }) error: string | null;
}

export function toPayoutRunResponse(item: PayoutRunListing): PayoutRunResponse {
  if (item.kind === 'missed') {
    return {
      id: null,
      slot: item.slot.toISOString(),
      status: 'missed',
      trigger: null,
      startedAt: null,
      finishedAt: null,
      sellersConsidered: 0,
      requestsCreated: 0,
      sellersFailed: 0,
      error: 'No run happened for this scheduled slot',
    };
  }
  const r = item.run;
  return {
    id: r.id,
    slot: r.slot.toISOString(),
    status: r.status,
    trigger: r.trigger,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    sellersConsidered: r.sellersConsidered,
    requestsCreated: r.requestsCreated,
    sellersFailed: r.sellersFailed,
    error: r.error,
  };
}

export class PayoutRunsResponse {
  @ApiProperty({ description: 'PAYOUT_REQUESTS_CRON, in UTC' }) cron: string;
  @ApiProperty() days: number;
  @ApiProperty({ type: [PayoutRunResponse], description: 'Runs and missed slots of the window, newest first' }) data: PayoutRunResponse[];
}
