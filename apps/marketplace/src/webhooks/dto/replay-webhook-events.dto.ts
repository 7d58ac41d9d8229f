import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';

export const REPLAYABLE_STATUSES = ['dead', 'quarantined', 'processed', 'ignored'] as const;

export class ReplayWebhookEventsDto {
  @ApiProperty({ enum: REPLAYABLE_STATUSES })
  @IsIn(REPLAYABLE_STATUSES)
  status: (typeof REPLAYABLE_STATUSES)[number];

  @ApiPropertyOptional({ example: 'account.updated' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_.]{1,100}$/)
  type?: string;

  @ApiPropertyOptional({ example: 'acct_123' })
  @IsOptional()
  @Matches(/^acct_[A-Za-z0-9]+$/)
  account?: string;
}
