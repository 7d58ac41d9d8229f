import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, Max, Min } from 'class-validator';

export class SetFeePolicyDto {
  @ApiProperty({ example: 800, minimum: 0, maximum: 10000, description: 'Proportional part: 100 basis points = 1 %' })
  @IsInt()
  @Min(0)
  @Max(10_000)
  basisPoints: number;

  @ApiPropertyOptional({
    example: { USD: 30, EUR: 25 },
    description: 'Fixed part per currency in minor units (integers or integer strings). Currencies not listed have no fixed part.',
  })
  @IsOptional()
  @IsObject()
  fixedAmounts?: Record<string, number | string>;
}
