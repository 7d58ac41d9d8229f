import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PaginationQuery } from '../../common/pagination.query.js';
import { SELLER_STATUSES, type SellerStatus } from '../seller-status.js';

export class ListSellersQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: SELLER_STATUSES })
  @IsOptional()
  @IsIn(SELLER_STATUSES)
  status?: SellerStatus;
}
