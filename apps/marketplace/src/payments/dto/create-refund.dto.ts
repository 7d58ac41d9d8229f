import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class CreateRefundDto {
  @ApiPropertyOptional({ description: 'Integer minor units (number or digit string); default: what remains to refund', example: '500' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value))
  @Matches(/^[1-9]\d{0,15}$/, { message: 'amount must be a whole number of minor units, at least 1' })
  amount?: string;

  @ApiPropertyOptional({ description: "Why; 'duplicate', 'fraudulent' and 'requested_by_customer' are passed to Stripe as its reason", maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
