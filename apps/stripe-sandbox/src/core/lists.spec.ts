import { Params } from '../http/params.js';
import { paginate } from './lists.js';

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
