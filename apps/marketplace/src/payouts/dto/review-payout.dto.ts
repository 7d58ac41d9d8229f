import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class ApprovePayoutDto {
  @ApiPropertyOptional({ maxLength: 500, description: "The admin's note, kept in the audit log" })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class RejectPayoutDto {
  @ApiProperty({ maxLength: 500, description: 'Why the payout is refused: the seller is shown it' })
  @IsString({ message: 'reason is required: the seller is shown why their payout was refused', context: { code: 'PAYOUTS.REASON_REQUIRED' } })
  @Matches(/\S/, { message: 'reason is required: the seller is shown why their payout was refused', context: { code: 'PAYOUTS.REASON_REQUIRED' } })
  @MaxLength(500)
  reason: string;
}
