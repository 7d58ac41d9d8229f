import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID, Matches } from 'class-validator';

export class LedgerBalanceQuery {
  @ApiPropertyOptional({ example: 'USD', description: 'Only this currency (its balance is 0 when it has no lines)' })
  @IsOptional()
  @Matches(/^[A-Za-z]{3}$/, { message: 'currency must be a three-letter ISO 4217 code' })
  currency?: string;

  @ApiPropertyOptional({ description: "A seller's principal id, on per-seller accounts" })
  @IsOptional()
  @IsUUID()
  sellerId?: string;
}
