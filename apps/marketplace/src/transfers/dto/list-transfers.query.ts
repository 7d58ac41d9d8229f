import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PaginationQuery } from '../../common/pagination.query.js';
import { TRANSFER_REVERSAL_STATUSES, type TransferReversalStatus } from '../transfer-reversal.entity.js';
import { TRANSFER_STATUSES, type TransferStatus } from '../transfer-status.js';

export class ListSellerTransfersQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: TRANSFER_STATUSES })
  @IsOptional()
  @IsIn(TRANSFER_STATUSES)
  status?: TransferStatus;
}

export class ListTransfersQuery extends ListSellerTransfersQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  sellerId?: string;
}

export class ListTransferReversalsQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: TRANSFER_REVERSAL_STATUSES })
  @IsOptional()
  @IsIn(TRANSFER_REVERSAL_STATUSES)
  status?: TransferReversalStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  sellerId?: string;
}
