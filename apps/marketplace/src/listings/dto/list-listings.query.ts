import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PaginationQuery } from '../../common/pagination.query.js';

export class ListListingsQuery extends PaginationQuery {
  @ApiPropertyOptional({ description: "Only this seller's listings" })
  @IsOptional()
  @IsUUID()
  sellerId?: string;
}
