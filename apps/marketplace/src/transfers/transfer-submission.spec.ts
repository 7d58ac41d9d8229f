import { transferKey, transferRetrySeconds } from './transfer-submission.service.js';

describe('transfer keys and retry delays', () => {
  const id = '0b6a4c1e-2f3d-4a5b-8c7d-9e0f1a2b3c4d';

  it('the first key is transfer:<id>; each new generation (admin retry, a key Stripe may have forgotten) its own', () => {
    expect(transferKey(id, 0)).toBe(`transfer:${id}`);
    expect(transferKey(id, 1)).toBe(`transfer:${id}:1`);
    expect(transferKey(id, 7)).toBe(`transfer:${id}:7`);
  });

  it('doubles from the base and stops at 10 minutes', () => {
    expect([1, 2, 3, 4].map((n) => transferRetrySeconds(n, 5_000))).toEqual([5, 10, 20, 40]);
    expect(transferRetrySeconds(30, 5_000)).toBe(600);
    expect(transferRetrySeconds(3, 0)).toBe(0);
  });
});
