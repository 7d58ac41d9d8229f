import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Max } from 'class-validator';
import { PaginationQuery } from '../../common/pagination.query.js';
import { PAYOUT_REQUEST_STATUSES, type PayoutRequestStatus } from '../payout-status.js';

export const MAX_REVIEW_PAGE_LIMIT = 50;

export class ListPayoutRequestsQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: PAYOUT_REQUEST_STATUSES, description: '`pending_review` is the review queue' })
  @IsOptional()
  @IsIn(PAYOUT_REQUEST_STATUSES)
  status?: PayoutRequestStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  sellerId?: string;

  // each item reads the seller's balance at Stripe live: this list's pages are small
  @Max(MAX_REVIEW_PAGE_LIMIT, { message: `limit must be an integer from 1 to ${MAX_REVIEW_PAGE_LIMIT} on this list`, context: { code: 'PAGINATION.INVALID_LIMIT' } })
  override limit: number = 20;
}
