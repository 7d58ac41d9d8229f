import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PRINCIPAL_ROLES, type PrincipalRole } from '../principal.entity.js';

export class ListPrincipalsQuery {
  @ApiPropertyOptional({ enum: PRINCIPAL_ROLES })
  @IsOptional()
  @IsIn(PRINCIPAL_ROLES)
  role?: PrincipalRole;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;
}
