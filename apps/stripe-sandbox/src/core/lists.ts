import { invalidRequest, paramError, resourceMissing } from '../http/errors.js';
import type { Params } from '../http/params.js';
import type { Row } from './store.js';

export interface ApiListShape<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export const LIST_SCHEMA = { limit: 'integer', starting_after: 'string', ending_before: 'string' } as const;

/**
 * Stripe list pagination over items ordered oldest-first (insertion order). Lists are returned
 * newest first; `starting_after` pages towards older items, `ending_before` towards newer ones.
 */
function pageBounds(params: Params): { limit: number; after?: string; before?: string } {
  const limit = params.int('limit') ?? 10;
  if (limit < 1 || limit > 100) throw paramError(`Invalid limit: must be between 1 and 100`, 'limit');
  const after = params.str('starting_after');
  const before = params.str('ending_before');
  if (after && before) throw invalidRequest('You may only specify one of these parameters: ending_before, starting_after.', 'ending_before');
  return { limit, after, before };
}

/**
 * `paginate` over the rows of `rowsOldestFirst` that `match`, without filtering them all first:
 * a page walks from its cursor (found by `locate`, an index into the rows) until it has `limit`
 * items and knows whether one more exists, so its cost is the rows it passes, not the whole list.
 * Answers exactly what `paginate` answers for the matching rows.
 */
export function paginateRows<T extends { id: string }, X>(
  rowsOldestFirst: Row<T, X>[],
  match: (row: Row<T, X>) => boolean,
  locate: (id: string) => number,
  params: Params,
  url: string,
  noun = 'object',
): ApiListShape<T> {
  const { limit, after, before } = pageBounds(params);
  const rows = rowsOldestFirst;
  const cursor = (id: string, param: string): number => {
    const idx = locate(id);
    if (idx === -1 || !match(rows[idx]!)) throw resourceMissing(noun, id, param);
    return idx;
  };
  const data: T[] = [];
  let hasMore = false;
  if (before) {
    // the `limit` closest newer matches, answered newest first
    for (let i = cursor(before, 'ending_before') + 1; i < rows.length; i++) {
      if (!match(rows[i]!)) continue;
      if (data.length === limit) {
        hasMore = true;
        break;
      }
      data.push(rows[i]!.obj);
    }
    return { object: 'list', data: data.reverse(), has_more: hasMore, url };
  }
  for (let i = (after ? cursor(after, 'starting_after') : rows.length) - 1; i >= 0; i--) {
    if (!match(rows[i]!)) continue;
    if (data.length === limit) {
      hasMore = true;
      break;
    }
    data.push(rows[i]!.obj);
  }
  return { object: 'list', data, has_more: hasMore, url };
}

export function paginate<T extends { id: string }>(itemsOldestFirst: T[], params: Params, url: string, noun = 'object'): ApiListShape<T> {
  const { limit, after, before } = pageBounds(params);
  const items = itemsOldestFirst;
  const n = items.length;
  if (before) {
    const idx = items.findIndex((i) => i.id === before);
    if (idx === -1) throw resourceMissing(noun, before, 'ending_before');
    // Newer items are at higher indexes: take the `limit` closest newer ones.
    const start = idx + 1;
    const end = Math.min(n, start + limit);
    return { object: 'list', data: items.slice(start, end).reverse(), has_more: end < n, url };
  }
  let endExclusive = n;
  if (after) {
    const idx = items.findIndex((i) => i.id === after);
    if (idx === -1) throw resourceMissing(noun, after, 'starting_after');
    endExclusive = idx;
  }
  const start = Math.max(0, endExclusive - limit);
  return { object: 'list', data: items.slice(start, endExclusive).reverse(), has_more: start > 0, url };
}
