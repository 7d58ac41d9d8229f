import { formatMoney, Money } from '@app/money';
import { ApiProperty } from '@nestjs/swagger';
import { TRANSFER_STATUSES } from './transfer-status.js';
import { RELEASE_REASONS, type Transfer } from './transfer.entity.js';

/** A held transfer's hold: until when, and who did what about it. */
export class TransferHoldResponse {
  @ApiProperty({ description: 'When it is released on its own unless released before (the end of the hold, or TRANSFERS_AUTO_RELEASE_DAYS after the seller marked it fulfilled)' })
  holdUntil: string;
  @ApiProperty({ description: "The end of the order's hold: a release then is `max_hold`, and admins are told" }) expiresAt: string;
  @ApiProperty({ nullable: true, type: String }) fulfilledAt: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The seller who marked it fulfilled' }) fulfilledBy: string | null;
  @ApiProperty({ nullable: true, type: String }) receivedAt: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The buyer who confirmed receipt' }) receivedBy: string | null;
  @ApiProperty({ nullable: true, type: String }) releasedAt: string | null;
  @ApiProperty({ nullable: true, enum: RELEASE_REASONS, type: String }) releaseReason: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Who released it (null for auto and max_hold)' }) releasedBy: string | null;
  @ApiProperty({ nullable: true, type: String, enum: ['buyer', 'admin'] }) releasedByRole: string | null;
}

export class TransferResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['order', 'external'], description: "order: a seller's share of a multi-seller order; external: made outside the marketplace (the Dashboard), recorded from its webhook" })
  kind: string;
  @ApiProperty({ enum: TRANSFER_STATUSES }) status: string;
  @ApiProperty({ nullable: true, type: String }) orderId: string | null;
  @ApiProperty({ nullable: true, type: String }) sellerId: string | null;
  @ApiProperty({ description: 'What is (or was) transferred, minor units as a string' }) amount: string;
  @ApiProperty({ description: 'The currency the platform holds the charge in (its settlement currency)' }) currency: string;
  @ApiProperty() display: string;
  @ApiProperty({ description: "The seller's share of the charge, before Stripe's fee" }) share: string;
  @ApiProperty({ description: "The part of Stripe's processing fee the seller bears (MULTI_SELLER_STRIPE_FEE=sellers)" }) stripeFeeShare: string;
  @ApiProperty({ description: "The seller's connected account" }) destination: string;
  @ApiProperty({ nullable: true, type: String }) stripeTransferId: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The py_ payment on the seller's account" }) destinationPaymentId: string | null;
  @ApiProperty({ nullable: true, type: String, description: "When the funds become available on the seller's balance (they follow the charge's)" }) availableOn: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why a pending transfer is not being made (the seller is not active)' }) waitingReason: string | null;
  @ApiProperty({ nullable: true, type: String, description: "Stripe's error code when it refused the transfer" }) failureCode: string | null;
  @ApiProperty({ nullable: true, type: String }) failureMessage: string | null;
  @ApiProperty({ description: 'True while the funds are held on the platform (not transferred before release)' }) held: boolean;
  @ApiProperty({ nullable: true, type: TransferHoldResponse, description: 'Null when the transfer was never held' }) hold: TransferHoldResponse | null;
  @ApiProperty({ description: 'Stripe calls made so far' }) attempts: number;
  @ApiProperty({ description: 'Which key the current attempt uses: 0 is transfer:<id>, n is transfer:<id>:<n>' }) keyGeneration: number;
  @ApiProperty({ nullable: true, type: String }) succeededAt: string | null;
  @ApiProperty() createdAt: string;
}

export function toTransferResponse(t: Transfer): TransferResponse {
  return {
    id: t.id,
    kind: t.kind,
    status: t.status,
    orderId: t.orderId,
    sellerId: t.sellerId,
    amount: t.amount.toString(),
    currency: t.currency,
    display: formatMoney(Money.of(t.amount, t.currency)),
    share: t.share.toString(),
    stripeFeeShare: t.stripeFeeShare.toString(),
    destination: t.destination,
    stripeTransferId: t.stripeTransferId,
    destinationPaymentId: t.destinationPaymentId,
    availableOn: t.availableOn?.toISOString() ?? null,
    waitingReason: t.waitingReason,
    failureCode: t.failureCode,
    failureMessage: t.failureMessage,
    held: t.holdUntil !== null && t.releasedAt === null && t.status === 'pending',
    hold: toHoldResponse(t),
    attempts: t.submitAttempts,
    keyGeneration: t.keyGeneration,
    succeededAt: t.succeededAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
  };
}

function toHoldResponse(t: Transfer): TransferHoldResponse | null {
  if (!t.holdUntil || !t.holdExpiresAt) return null;
  return {
    holdUntil: t.holdUntil.toISOString(),
    expiresAt: t.holdExpiresAt.toISOString(),
    fulfilledAt: t.fulfilledAt?.toISOString() ?? null,
    fulfilledBy: t.fulfilledBy,
    receivedAt: t.receivedAt?.toISOString() ?? null,
    receivedBy: t.receivedBy,
    releasedAt: t.releasedAt?.toISOString() ?? null,
    releaseReason: t.releaseReason,
    releasedBy: t.releasedBy,
    releasedByRole: t.releasedByRole,
  };
}
