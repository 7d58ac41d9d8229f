import { Params, type Value } from '../http/params.js';
import fc from 'fast-check';
import { paginate, paginateRows } from './lists.js';
import { Table } from './store.js';

const items = Array.from({ length: 25 }, (_, i) => ({ id: `obj_${String(i).padStart(2, '0')}` }));
const ids = (l: { data: Array<{ id: string }> }) => l.data.map((d) => d.id);

describe('paginate', () => {
  it('returns newest first with has_more, and pages older with starting_after', () => {
    const first = paginate(items, new Params({ limit: 10 }), '/v1/x');
    expect(ids(first)[0]).toBe('obj_24');
    expect(first.has_more).toBe(true);
    const second = paginate(items, new Params({ limit: 10, starting_after: 'obj_15' }), '/v1/x');
    expect(ids(second)).toEqual(['obj_14', 'obj_13', 'obj_12', 'obj_11', 'obj_10', 'obj_09', 'obj_08', 'obj_07', 'obj_06', 'obj_05']);
    const last = paginate(items, new Params({ limit: 10, starting_after: 'obj_05' }), '/v1/x');
    expect(ids(last)).toEqual(['obj_04', 'obj_03', 'obj_02', 'obj_01', 'obj_00']);
    expect(last.has_more).toBe(false);
  });

  it('walks every item exactly once, as the SDK auto-pagination does', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = paginate(items, new Params(cursor ? { limit: 7, starting_after: cursor } : { limit: 7 }), '/v1/x');
      seen.push(...ids(page));
      if (!page.has_more) break;
      cursor = page.data[page.data.length - 1].id;
    }
    expect(seen).toEqual(items.map((i) => i.id).reverse());
  });

  it('pages newer with ending_before', () => {
    const page = paginate(items, new Params({ limit: 3, ending_before: 'obj_10' }), '/v1/x');
    expect(ids(page)).toEqual(['obj_13', 'obj_12', 'obj_11']);
    expect(page.has_more).toBe(true);
  });

  it('refuses a limit outside 1..100 and an unknown cursor', () => {
    expect(() => paginate(items, new Params({ limit: 101 }), '/v1/x')).toThrow(/limit/);
    expect(() => paginate(items, new Params({ limit: 0 }), '/v1/x')).toThrow(/limit/);
    expect(() => paginate(items, new Params({ starting_after: 'obj_nope' }), '/v1/x')).toThrow(/No such/);
  });
});

describe('paginateRows', () => {
  const rowsOf = (n: number) => {
    const table = new Table<{ id: string; n: number }>();
    for (let i = 0; i < n; i++) table.insert({ id: `obj_${String(i).padStart(5, '0')}`, n: i }, 'acct_a', {});
    return table;
  };

  it('answers what paginate answers for the matching rows, for every cursor, direction and limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 12 }), fc.nat(), fc.boolean(), (n, modulo, limit, pick, forward) => {
        const table = rowsOf(n);
        const match = (r: { obj: { n: number } }) => r.obj.n % modulo === 0;
        const rows = table.owned('acct_a');
        const matching = rows.filter(match).map((r) => r.obj);
        const run = (params: Record<string, Value>) => {
          const outcome = (f: () => unknown) => {
            try {
              return f();
            } catch (err) {
              return (err as Error).message;
            }
          };
          expect(outcome(() => paginateRows(rows, match, (id) => table.indexOf(id, 'acct_a'), new Params(params), '/v1/x'))).toEqual(outcome(() => paginate(matching, new Params(params), '/v1/x')));
        };
        run({ limit });
        // a cursor: any row, matching or not (a row the filter leaves out is unknown to the list)
        if (n > 0) run({ limit, [forward ? 'ending_before' : 'starting_after']: rows[pick % n]!.obj.id });
        run({ limit, starting_after: 'obj_missing' });
      }),
    );
  });

  it('a page walks from its cursor: its cost is the rows it passes, not the whole list', () => {
    const table = rowsOf(100_000);
    let calls = 0;
    const match = () => {
      calls++;
      return true;
    };
    const rows = table.owned('acct_a');
    const page = paginateRows(rows, match, (id) => table.indexOf(id, 'acct_a'), new Params({ limit: 100, starting_after: 'obj_50000' }), '/v1/x');
    expect(page.data[0]!.id).toBe('obj_49999');
    expect(page.data).toHaveLength(100);
    expect(page.has_more).toBe(true);
    // the cursor, 100 rows and the one that says has_more
    expect(calls).toBe(102);
  });
});
