import { formatMoney, Money } from '@app/money';
import { ApiProperty } from '@nestjs/swagger';
import { TRANSFER_STATUSES } from './transfer-status.js';
import type { Transfer } from './transfer.entity.js';

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
    attempts: t.submitAttempts,
    keyGeneration: t.keyGeneration,
    succeededAt: t.succeededAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
  };
}
