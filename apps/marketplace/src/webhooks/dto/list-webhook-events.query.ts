import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { PaginationQuery } from '../../common/pagination.query.js';
import { INBOX_STATUSES, type InboxStatus } from '../webhook-event.entity.js';

export class ListWebhookEventsQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: INBOX_STATUSES })
  @IsOptional()
  @IsIn(INBOX_STATUSES)
  status?: InboxStatus;

  @ApiPropertyOptional({ example: 'account.updated', description: "A v1 type, or a thin event's v2 type, e.g. v2.core.account[requirements].updated" })
  @IsOptional()
  @IsString()
  // v2 types have digits and a bracketed part: v2.core.account[configuration.recipient].updated
  @Matches(/^[a-z0-9_.*[\]]{1,100}$/)
  type?: string;

  @ApiPropertyOptional({ example: 'acct_123' })
  @IsOptional()
  @Matches(/^acct_[A-Za-z0-9]+$/)
  account?: string;
}
