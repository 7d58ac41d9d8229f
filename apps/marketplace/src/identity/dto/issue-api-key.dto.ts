import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

export class IssueApiKeyDto {
  @ApiPropertyOptional({ example: 'ci deploy key' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  label?: string;
}
