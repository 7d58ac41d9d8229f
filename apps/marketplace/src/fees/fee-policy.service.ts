import type { Money } from '@app/money';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { PrincipalsService } from '../identity/principals.service.js';
import { quoteFee, type FeeQuote, type ResolvedFeePolicy } from './fee-policy.js';
import { FeesConfig } from './fees.config.js';
import { FeesErrors } from './fees.errors.js';
import { fixedAmountsToJson, parseFixedAmounts } from './fixed-amounts.js';
import { SellerFeePolicy } from './seller-fee-policy.entity.js';

export interface FeePolicyInput {
  basisPoints: number;
  fixedAmounts?: Record<string, number | string>;
}

/** Which fee applies to a seller: the platform default or an admin's override. */
@Injectable()
export class FeePolicyService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: FeesConfig,
    private readonly principals: PrincipalsService,
  ) {}

  /**
   * The platform's fee and the seller's share of `amount` (the seller's gross, e.g. their
   * subtotal of one order). fee + sellerShare = amount; 0 <= fee <= amount. Pass the checkout's
   * transaction as `manager` to read the policy inside it.
   */
  async quote(sellerId: string, amount: Money, manager?: EntityManager): Promise<FeeQuote> {
    return quoteFee(amount, await this.policyFor(sellerId, manager));
  }

  async policyFor(sellerId: string, manager?: EntityManager): Promise<ResolvedFeePolicy> {
    const row = await (manager ?? this.db.manager).findOneBy(SellerFeePolicy, { sellerId });
    return row ? fromRow(row) : this.defaultPolicy();
  }

  defaultPolicy(): ResolvedFeePolicy {
    return {
      source: 'default',
      basisPoints: this.config.PLATFORM_FEE_BPS,
      fixedAmounts: this.config.PLATFORM_FEE_FIXED_BY_CURRENCY,
      fixedOtherCurrencies: BigInt(this.config.PLATFORM_FEE_FIXED),
    };
  }

  /** Sets (or replaces) a seller's override. */
  async setOverride(sellerId: string, input: FeePolicyInput, adminId: string): Promise<ResolvedFeePolicy> {
    await this.assertSeller(sellerId);
    const parsed = parseFixedAmounts(input.fixedAmounts ?? {});
    if ('problem' in parsed) throw FeesErrors.invalidFixedAmounts(parsed.problem);
    await this.db
      .createQueryBuilder()
      .insert()
      .into(SellerFeePolicy)
      .values({ sellerId, basisPoints: input.basisPoints, fixedAmounts: fixedAmountsToJson(parsed.value), updatedBy: adminId, updatedAt: () => 'now()' })
      .orUpdate(['basis_points', 'fixed_amounts', 'updated_by', 'updated_at'], ['seller_id'])
      .execute();
    return this.policyFor(sellerId);
  }

  /** Removes a seller's override (idempotent): the default applies again. */
  async removeOverride(sellerId: string): Promise<ResolvedFeePolicy> {
    await this.assertSeller(sellerId);
    await this.db.manager.delete(SellerFeePolicy, { sellerId });
    return this.defaultPolicy();
  }

  async assertSeller(sellerId: string): Promise<void> {
    const principal = await this.principals.find(sellerId);
    if (principal?.role !== 'seller') throw FeesErrors.sellerNotFound(sellerId);
  }
}

function fromRow(row: SellerFeePolicy): ResolvedFeePolicy {
  const parsed = parseFixedAmounts(row.fixedAmounts, { anyCurrency: true });
  if ('problem' in parsed) throw new Error(`seller_fee_policies row ${row.sellerId}: fixed_amounts ${parsed.problem}`);
  return { source: 'seller', basisPoints: row.basisPoints, fixedAmounts: parsed.value, fixedOtherCurrencies: 0n };
}
