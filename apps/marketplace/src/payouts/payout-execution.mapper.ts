import { ApiProperty } from '@nestjs/swagger';
import type { PayoutAttempt } from './payout-attempt.entity.js';
import type { PayoutRequest } from './payout-request.entity.js';

export class PayoutAttemptResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['pending', 'submitting', 'created', 'paid', 'failed', 'canceled'] }) status: string;
  @ApiProperty() amount: string;
  @ApiProperty() currency: string;
  @ApiProperty({ nullable: true, type: String }) stripePayoutId: string | null;
  @ApiProperty({ nullable: true, type: String, description: "Stripe's status of the payout (pending, in_transit, paid, failed, canceled)" }) stripeStatus: string | null;
  @ApiProperty({ nullable: true, type: String }) failureCode: string | null;
  @ApiProperty({ nullable: true, type: String }) failureMessage: string | null;
  @ApiProperty({ nullable: true, type: String }) arrivalDate: string | null;
  @ApiProperty() createdAt: string;
}

export class PayoutExecutionResponse {
  @ApiProperty() id: string;
  @ApiProperty() sellerId: string;
  @ApiProperty() amount: string;
  @ApiProperty() currency: string;
  @ApiProperty() status: string;
  @ApiProperty({ nullable: true, type: String, description: 'Why it waits or failed, as a code (e.g. PAYOUTS.PAYOUT_FAILED)' }) statusCode: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The same in words, with the remedy' }) statusReason: string | null;
  @ApiProperty({ type: [PayoutAttemptResponse] }) attempts: PayoutAttemptResponse[];
}

export function toPayoutAttemptResponse(a: PayoutAttempt): PayoutAttemptResponse {
  return {
    id: a.id,
    status: a.status,
    amount: a.amount.toString(),
    currency: a.currency,
    stripePayoutId: a.stripePayoutId,
    stripeStatus: a.stripeStatus,
    failureCode: a.failureCode,
    failureMessage: a.failureMessage,
    arrivalDate: a.arrivalDate?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
  };
}

export function toPayoutExecutionResponse(r: PayoutRequest, attempts: PayoutAttempt[]): PayoutExecutionResponse {
  return {
    id: r.id,
    sellerId: r.sellerId,
    amount: r.amount.toString(),
    currency: r.currency,
    status: r.status,
    statusCode: r.statusCode,
    statusReason: r.statusReason,
    attempts: attempts.map(toPayoutAttemptResponse),
  };
}
