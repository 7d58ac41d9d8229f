import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { PRINCIPAL_ROLES, type PrincipalRole } from '../principal.entity.js';

export class CreatePrincipalDto {
  @ApiProperty({ enum: PRINCIPAL_ROLES })
  @IsIn(PRINCIPAL_ROLES)
  role: PrincipalRole;

  @ApiProperty({ example: 'Acme Ceramics' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ example: 'owner@acme.test' })
  @IsOptional()
  @IsEmail()
  email?: string;
}
