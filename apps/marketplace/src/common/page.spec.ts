import fc from 'fast-check';
import { DomainError } from './domain-error.js';
import { arrayPage, decodeCursor, encodeCursor } from './page.js';
import { PaginationQuery } from './pagination.query.js';

const query = (limit: number, startingAfter?: string): PaginationQuery => Object.assign(new PaginationQuery(), { limit, startingAfter });

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a DomainError';
  }
  return undefined;
}

describe('cursors', () => {
  it('a cursor names the id it was made from', () => {
    fc.assert(fc.property(fc.uuid(), (id) => decodeCursor(encodeCursor(id), true) === id));
    fc.assert(fc.property(fc.stringMatching(/^[\w.:-]{1,255}$/), (id) => decodeCursor(encodeCursor(id), false) === id));
  });

  it('anything else is PAGINATION.INVALID_CURSOR', () => {
    const uuid = '6d0f2c9e-5b1a-4f5e-9c7d-2a3b4c5d6e7f';
    for (const bad of ['', 'abc', Buffer.from(uuid).toString('base64url'), `${encodeCursor(uuid)}A`, encodeCursor('evt_123'), encodeCursor(`${uuid}'; --`)]) {
      expect({ bad, code: codeOf(() => decodeCursor(bad, true)) }).toEqual({ bad, code: 'PAGINATION.INVALID_CURSOR' });
    }
    expect(codeOf(() => decodeCursor(encodeCursor('a b'), false))).toBe('PAGINATION.INVALID_CURSOR');
  });
});

describe('arrayPage', () => {
  it('pages of any size, followed to the end, give every item once in order, hasMore false only at the end', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z_]{1,12}$/), { maxLength: 40 }), fc.integer({ min: 1, max: 10 }), (items, limit) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = arrayPage(items, (i) => i, query(limit, cursor));
          seen.push(...page.data);
          expect(page.data.length).toBeLessThanOrEqual(limit);
          if (!page.hasMore) {
            expect(page.nextCursor).toBeNull();
            break;
          }
          expect(page.data).toHaveLength(limit);
          cursor = page.nextCursor!;
        }
        expect(seen).toEqual(items);
      }),
    );
  });

  it('a cursor of an item not in the list is refused', () => {
    expect(codeOf(() => arrayPage(['a', 'b'], (i) => i, query(1, encodeCursor('c'))))).toBe('PAGINATION.INVALID_CURSOR');
  });
});
