import { formatMoney, Money } from '@app/money';
import { ApiProperty } from '@nestjs/swagger';
import type { SellerCurrencyBalance } from './seller-balance.service.js';

export class BalanceSidesResponse {
  @ApiProperty({ description: 'Minor units as a string' }) available: string;
  @ApiProperty({ description: 'Minor units as a string' }) pending: string;
}

export class HeldFundsResponse {
  @ApiProperty() orderId: string;
  @ApiProperty() transferId: string;
  @ApiProperty({ description: 'Minor units as a string' }) amount: string;
  @ApiProperty() display: string;
  @ApiProperty({ description: 'When it is released on its own unless released sooner' }) releasesAt: string;
  @ApiProperty({ type: String, nullable: true, description: "The end of the order's hold (Stripe's limit on holding funds)" }) holdExpiresAt: string | null;
}

export class InReviewResponse {
  @ApiProperty() requestId: string;
  @ApiProperty() amount: string;
  @ApiProperty() display: string;
  @ApiProperty() status: string;
  @ApiProperty({ type: String, nullable: true }) statusReason: string | null;
}

export class SellerCurrencyBalanceResponse {
  @ApiProperty() currency: string;
  @ApiProperty({ type: BalanceSidesResponse, description: "The connected account's balance as Stripe reports it (GET /v1/balance)" }) stripe: BalanceSidesResponse;
  @ApiProperty({ type: BalanceSidesResponse, description: "The same balance in the platform's ledger" }) ledger: BalanceSidesResponse;
  @ApiProperty({ description: 'Whether the two agree (a payout is held while they do not)' }) matches: boolean;
  @ApiProperty({ type: [HeldFundsResponse], description: 'Funds of multi-seller orders the platform holds (not yet transferred), with their release dates' }) held: HeldFundsResponse[];
  @ApiProperty() heldTotal: string;
  @ApiProperty({ type: InReviewResponse, nullable: true, description: 'The open payout request in this currency' }) inReview: InReviewResponse | null;
  @ApiProperty({ description: 'The minimum payout (minor units)' }) minimum: string;
  @ApiProperty({ example: 'Below the minimum payout of USD 10.00: USD 4.00 is available', description: 'Why a payout does or does not happen, in words' }) payouts: string;
}

export class SellerBalanceResponse {
  @ApiProperty({ type: String, nullable: true, description: 'The connected account (null: none yet)' }) stripeAccountId: string | null;
  @ApiProperty({ type: [SellerCurrencyBalanceResponse] }) currencies: SellerCurrencyBalanceResponse[];
}

const sides = (s: { available: bigint; pending: bigint }): BalanceSidesResponse => ({ available: s.available.toString(), pending: s.pending.toString() });

export function toSellerBalanceResponse(b: { account: string | null; currencies: SellerCurrencyBalance[] }): SellerBalanceResponse {
  return {
    stripeAccountId: b.account,
    currencies: b.currencies.map((c) => ({
      currency: c.currency,
      stripe: sides(c.stripe),
      ledger: sides(c.ledger),
      matches: c.matches,
      held: c.held.map((h) => ({
        orderId: h.orderId,
        transferId: h.transferId,
        amount: h.amount.toString(),
        display: formatMoney(Money.of(h.amount, h.currency)),
        releasesAt: h.releasesAt.toISOString(),
        holdExpiresAt: h.holdExpiresAt?.toISOString() ?? null,
      })),
      heldTotal: c.heldTotal.toString(),
      inReview: c.open
        ? { requestId: c.open.id, amount: c.open.amount.toString(), display: formatMoney(Money.of(c.open.amount, c.currency)), status: c.open.status, statusReason: c.open.statusReason }
        : null,
      minimum: c.minimum.toString(),
      payouts: c.payouts,
    })),
  };
}
