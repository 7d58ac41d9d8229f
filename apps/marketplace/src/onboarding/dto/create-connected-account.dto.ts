import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';

export class CreateConnectedAccountDto {
  @ApiPropertyOptional({ example: 'US', description: 'ISO 3166-1 alpha-2; default SELLER_DEFAULT_COUNTRY' })
  @IsOptional()
  @Matches(/^[A-Za-z]{2}$/, { message: 'country must be a two-letter ISO country code' })
  country?: string;

  @ApiPropertyOptional({ example: 'Acme Ceramics' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  businessName?: string;
}
