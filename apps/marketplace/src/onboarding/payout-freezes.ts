import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * Why a seller's payouts are frozen right now (e.g. "dispute dp_123 is open"), or null. Reads
 * through `manager` when given (the caller's transaction), never a second pooled connection.
 */
export type PayoutFreezeCheck = (sellerId: string, manager?: EntityManager) => Promise<string | null>;

/**
 * Other modules register what freezes a seller's payouts (payments: an open dispute) without
 * onboarding depending on them; SellerGate.assertCanBePaidOut asks every check.
 */
@Injectable()
export class PayoutFreezes {
  private readonly checks: PayoutFreezeCheck[] = [];

  register(check: PayoutFreezeCheck): void {
    this.checks.push(check);
  }

  async reasons(sellerId: string, manager?: EntityManager): Promise<string[]> {
    // one after another: a transaction's connection runs one query at a time
    const answers: (string | null)[] = [];
    for (const check of this.checks) answers.push(await check(sellerId, manager));
    return answers.filter((a): a is string => a !== null);
  }
}
