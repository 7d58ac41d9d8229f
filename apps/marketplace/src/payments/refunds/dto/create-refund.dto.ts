import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';

/** Either `amount` or `"full": true`, never both: a refund of everything is asked for, never inferred. */
export class CreateRefundDto {
  @ApiPropertyOptional({ description: 'Integer minor units (number or digit string); or send "full": true instead', example: '500' })
  @ValidateIf((_, value) => value !== undefined) // null is refused, not taken for "no amount"
  @Transform(({ value }: { value: unknown }) => (typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value))
  @Matches(/^[1-9]\d{0,15}$/, { message: 'amount must be a whole number of minor units, at least 1' })
  amount?: string;

  @ApiPropertyOptional({ description: 'true refunds all that remains of the order; instead of amount', example: true })
  @ValidateIf((_, value) => value !== undefined)
  @IsBoolean()
  full?: boolean;

  @ApiPropertyOptional({ description: "Why; 'duplicate', 'fraudulent' and 'requested_by_customer' are passed to Stripe as its reason", maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
