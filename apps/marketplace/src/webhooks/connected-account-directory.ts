import { Injectable } from '@nestjs/common';

export type AccountLookup = {
  isKnown(accountId: string): Promise<boolean>;
  /** Every connected account the platform knows (for backfilling their events). */
  list(): Promise<string[]>;
  /** The sellers these accounts belong to (for checking each connected balance). */
  sellers?(): Promise<Array<{ sellerId: string; account: string }>>;
};

/**
 * Which connected accounts the platform knows. The module that owns sellers registers its lookup
 * here, so the inbox can quarantine Connect events of strangers without depending on that module.
 */
@Injectable()
export class ConnectedAccountDirectory {
  private readonly lookups: AccountLookup[] = [];

  register(lookup: AccountLookup): void {
    this.lookups.push(lookup);
  }

  async isKnown(accountId: string): Promise<boolean> {
    for (const lookup of this.lookups) if (await lookup.isKnown(accountId)) return true;
    return false;
  }

  async list(): Promise<string[]> {
    const all = await Promise.all(this.lookups.map((l) => l.list()));
    return [...new Set(all.flat())];
  }

  /** The seller whose connected account this is, if a lookup knows it. */
  async sellerOf(account: string): Promise<string | null> {
    return (await this.sellers()).find((s) => s.account === account)?.sellerId ?? null;
  }

  async sellers(): Promise<Array<{ sellerId: string; account: string }>> {
    const all = await Promise.all(this.lookups.map((l) => (l.sellers ? l.sellers() : Promise.resolve([]))));
    return all.flat();
  }
}
