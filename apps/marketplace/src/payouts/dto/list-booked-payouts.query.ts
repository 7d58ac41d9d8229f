import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PaginationQuery } from '../../common/pagination.query.js';

export class ListBookedPayoutsQuery extends PaginationQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "Only this seller's payouts" })
  @IsOptional()
  @IsUUID()
  sellerId?: string;
}
