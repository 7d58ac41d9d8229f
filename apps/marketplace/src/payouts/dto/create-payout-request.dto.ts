import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Matches, Max, Min, ValidateIf } from 'class-validator';

/** A seller's payout request: both optional (the amount defaults to what is available, the currency to the only one with funds). */
export class CreatePayoutRequestDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Minor units as a JSON integer (e.g. 2500 for USD 25.00); omitted: all that is available', example: 2500 })
  @ValidateIf((_, value) => value !== undefined) // null is refused, not taken for "no amount"
  @IsInt({ message: 'amount must be a whole number of minor units (a JSON integer)', context: { code: 'PAYOUTS.INVALID_AMOUNT' } })
  @Min(1, { message: 'amount must be at least 1 minor unit', context: { code: 'PAYOUTS.INVALID_AMOUNT' } })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'amount is too large', context: { code: 'PAYOUTS.INVALID_AMOUNT' } })
  amount?: number;

  @ApiPropertyOptional({ description: 'ISO currency code; omitted: the one currency funds are available in', example: 'usd' })
  @ValidateIf((_, value) => value !== undefined)
  @Matches(/^[a-zA-Z]{3}$/, { message: 'currency must be a three-letter ISO code', context: { code: 'PAYOUTS.INVALID_CURRENCY' } })
  currency?: string;
}
