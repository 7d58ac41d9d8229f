import type { EntityManager } from 'typeorm';
import { PayoutFreezes } from './payout-freezes.js';

describe('PayoutFreezes', () => {
  it("asks every check one after another, on the caller's manager, and keeps the reasons given", async () => {
    const freezes = new PayoutFreezes();
    const seen: Array<[string, EntityManager | undefined]> = [];
    let running = 0;
    const check = (answer: string | null) => async (sellerId: string, manager?: EntityManager) => {
      expect(running).toBe(0); // a transaction's connection runs one query at a time
      running++;
      seen.push([sellerId, manager]);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return answer;
    };
    freezes.register(check('dispute dp_1 is open'));
    freezes.register(check(null));
    const tx = {} as EntityManager;
    expect(await freezes.reasons('s1', tx)).toEqual(['dispute dp_1 is open']);
    expect(seen).toEqual([
      ['s1', tx],
      ['s1', tx],
    ]);
    expect(await freezes.reasons('s2')).toEqual(['dispute dp_1 is open']);
    expect(seen[2]).toEqual(['s2', undefined]);
  });
});
