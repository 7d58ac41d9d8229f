import { formatMoney, Money } from '@app/money';
import { ApiProperty } from '@nestjs/swagger';
import type { SellerDebt, SellerDebtRecovery } from './seller-debt.entity.js';
import { TRANSFER_REVERSAL_STATUSES, type TransferReversal } from './transfer-reversal.entity.js';

export class TransferReversalResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['lowering', 'reversal'], description: 'lowering: the transfer was not sent yet and was lowered; reversal: it was made and is reversed at Stripe' }) kind: string;
  @ApiProperty({ enum: TRANSFER_REVERSAL_STATUSES, description: 'debt: Stripe refused the reversal (the seller balance could not cover it), the seller owes it' }) status: string;
  @ApiProperty({ nullable: true, type: String, description: 'The refund it is part of (null: a lost dispute it recovers)' }) refundId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The lost dispute it recovers' }) disputeId: string | null;
  @ApiProperty() sellerId: string;
  @ApiProperty({ description: 'Our transfer row lowered or reversed' }) transferId: string;
  @ApiProperty({ description: "The seller's part of the refund, minor units as a string" }) amount: string;
  @ApiProperty({ description: 'Of it, what the lowered transfer could not cover (owed by the seller)' }) shortfall: string;
  @ApiProperty() currency: string;
  @ApiProperty() display: string;
  @ApiProperty({ nullable: true, type: String }) stripeReversalId: string | null;
  @ApiProperty({ nullable: true, type: String, description: "Stripe's error code when it refused the reversal" }) failureCode: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The admin who canceled it (a failed reversal given up on)' }) canceledBy: string | null;
  @ApiProperty() createdAt: string;
}

export function toTransferReversalResponse(r: TransferReversal): TransferReversalResponse {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    refundId: r.refundId,
    disputeId: r.disputeId,
    sellerId: r.sellerId,
    transferId: r.transferId,
    amount: r.amount.toString(),
    shortfall: r.shortfall.toString(),
    currency: r.currency,
    display: formatMoney(Money.of(r.amount, r.currency)),
    stripeReversalId: r.stripeReversalId,
    failureCode: r.failureCode,
    canceledBy: r.canceledBy,
    createdAt: r.createdAt.toISOString(),
  };
}

export class SellerDebtRecoveryResponse {
  @ApiProperty({ description: 'The transfer it was netted from' }) transferId: string;
  @ApiProperty() amount: string;
  @ApiProperty() createdAt: string;
}

export class SellerDebtResponse {
  @ApiProperty() id: string;
  @ApiProperty() sellerId: string;
  @ApiProperty({ description: 'Minor units as a string' }) amount: string;
  @ApiProperty({ description: 'Netted from later transfers so far' }) recovered: string;
  @ApiProperty({ description: 'Canceled, never recovered: the refund it came from failed at Stripe (the buyer was not refunded after all)' }) canceled: string;
  @ApiProperty({ description: 'amount - recovered - canceled' }) outstanding: string;
  @ApiProperty() currency: string;
  @ApiProperty() display: string;
  @ApiProperty({ enum: ['transfer_reversal', 'transfer_lowering'] }) originType: string;
  @ApiProperty({ description: 'The transfer reversal it came from' }) originId: string;
  @ApiProperty({ nullable: true, type: String }) orderId: string | null;
  @ApiProperty() reason: string;
  @ApiProperty({ type: [SellerDebtRecoveryResponse] }) recoveries: SellerDebtRecoveryResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'When it was recovered in full' }) clearedAt: string | null;
  @ApiProperty() createdAt: string;
}

export function toSellerDebtResponse(d: SellerDebt, recoveries: SellerDebtRecovery[]): SellerDebtResponse {
  return {
    id: d.id,
    sellerId: d.sellerId,
    amount: d.amount.toString(),
    recovered: d.recovered.toString(),
    canceled: d.canceled.toString(),
    outstanding: (d.amount - d.recovered - d.canceled).toString(),
    currency: d.currency,
    display: formatMoney(Money.of(d.amount - d.recovered - d.canceled, d.currency)),
    originType: d.originType,
    originId: d.originId,
    orderId: d.orderId,
    reason: d.reason,
    recoveries: recoveries.filter((r) => r.debtId === d.id).map((r) => ({ transferId: r.transferId, amount: r.amount.toString(), createdAt: r.createdAt.toISOString() })),
    clearedAt: d.clearedAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
  };
}
