import { Injectable } from '@nestjs/common';

/** Why a seller's payouts are frozen right now (e.g. "dispute dp_123 is open"), or null. */
export type PayoutFreezeCheck = (sellerId: string) => Promise<string | null>;

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

  async reasons(sellerId: string): Promise<string[]> {
    const answers = await Promise.all(this.checks.map((check) => check(sellerId)));
    return answers.filter((a): a is string => a !== null);
  }
}
