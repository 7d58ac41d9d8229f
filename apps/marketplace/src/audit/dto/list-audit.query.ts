import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { PaginationQuery } from '../../common/pagination.query.js';

export const SUBJECT_MESSAGE = 'subject must be <type>:<id>, e.g. payout_request:<uuid>';

export class ListAuditQuery extends PaginationQuery {
  @ApiProperty({ example: 'payout_request:0f8fad5b-d9cb-469f-a165-70867728950e', description: 'The subject: its type and id' })
  @Matches(/^[a-z_]{1,32}:[\w.:-]{1,255}$/, { message: SUBJECT_MESSAGE, context: { code: 'AUDIT.INVALID_SUBJECT' } })
  subject: string;
}
