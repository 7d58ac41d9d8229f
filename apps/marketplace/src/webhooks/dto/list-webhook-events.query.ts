import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { INBOX_STATUSES, type InboxStatus } from '../webhook-event.entity.js';

export class ListWebhookEventsQuery {
  @ApiPropertyOptional({ enum: INBOX_STATUSES })
  @IsOptional()
  @IsIn(INBOX_STATUSES)
  status?: InboxStatus;

  @ApiPropertyOptional({ example: 'account.updated' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_.*]{1,100}$/)
  type?: string;

  @ApiPropertyOptional({ example: 'acct_123' })
  @IsOptional()
  @Matches(/^acct_[A-Za-z0-9]+$/)
  account?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;
}
