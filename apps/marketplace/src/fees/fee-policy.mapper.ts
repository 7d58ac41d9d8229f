import { ApiProperty } from '@nestjs/swagger';
import type { ResolvedFeePolicy } from './fee-policy.js';
import { fixedAmountsToJson } from './fixed-amounts.js';

export class FeePolicyResponse {
  @ApiProperty() sellerId: string;
  @ApiProperty({ enum: ['default', 'seller'], description: "'seller': an admin's override; 'default': the platform's policy" }) source: string;
  @ApiProperty({ example: 1000 }) basisPoints: number;
  @ApiProperty({ example: { USD: '30' }, description: 'Fixed part per currency, minor units as strings' }) fixedAmounts: Record<string, string>;
  @ApiProperty({ example: '0', description: 'Fixed part for currencies not listed, minor units' }) fixedOtherCurrencies: string;
}

export function toFeePolicyResponse(sellerId: string, p: ResolvedFeePolicy): FeePolicyResponse {
  return {
    sellerId,
    source: p.source,
    basisPoints: p.basisPoints,
    fixedAmounts: fixedAmountsToJson(p.fixedAmounts),
    fixedOtherCurrencies: p.fixedOtherCurrencies.toString(),
  };
}
