import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PaginationQuery } from '../../common/pagination.query.js';
import { PRINCIPAL_ROLES, type PrincipalRole } from '../principal.entity.js';

export class ListPrincipalsQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: PRINCIPAL_ROLES })
  @IsOptional()
  @IsIn(PRINCIPAL_ROLES)
  role?: PrincipalRole;
}
