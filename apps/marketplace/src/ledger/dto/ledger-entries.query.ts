import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { PaginationQuery } from '../../common/pagination.query.js';

export class LedgerEntriesQuery extends PaginationQuery {
  @ApiProperty({ example: 'order' })
  @Matches(/^[a-z][a-z0-9_.:-]{0,63}$/)
  referenceType: string;

  @ApiProperty({ example: '6d0f2c9e-5b1a-4f5e-9c7d-2a3b4c5d6e7f' })
  @IsString()
  @Length(1, 255)
  referenceId: string;
}
