import type { Type } from '@nestjs/common';
import { ApiOkResponse, ApiProperty } from '@nestjs/swagger';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Answering } from './api-answer.js';
import { DomainError } from './domain-error.js';
import { isUuid } from './ids.js';
import { CURSOR_MESSAGE, type PaginationQuery } from './pagination.query.js';

/** Every list answers this: a page of items in the list's stable order, and how to get the next. */
export interface Page<T> {
  data: T[];
  /** More items follow this page. */
  hasMore: boolean;
  /** Pass as `startingAfter` for the next page; null on the last page. */
  nextCursor: string | null;
}

// A cursor is the last item's id, base64url-encoded with a version tag: opaque to clients, and a
// row's id never changes, so a page boundary holds while items are added or filtered out (on sort
// keys that do not change, e.g. created_at; a row whose sort key changes moves in the list).
const CURSOR_TAG = 'c1:';

export function encodeCursor(id: string): string {
  return Buffer.from(CURSOR_TAG + id, 'utf8').toString('base64url');
}

export function invalidCursor(): DomainError {
  return new DomainError('PAGINATION.INVALID_CURSOR', CURSOR_MESSAGE, 'invalid');
}

/** The id a cursor names, or PAGINATION.INVALID_CURSOR (400). */
export function decodeCursor(cursor: string, idIsUuid: boolean): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith(CURSOR_TAG) ? text.slice(CURSOR_TAG.length) : '';
  if (!id || encodeCursor(id) !== cursor || (idIsUuid ? !isUuid(id) : !/^[\w.:-]{1,255}$/.test(id))) throw invalidCursor();
  return id;
}

/** How a list is ordered: sort keys (SQL on an alias) that end with the row's unique id. */
export interface KeysetOrder<T> {
  table: string;
  /** The id column, also the last sort key. */
  idColumn: string;
  idIsUuid: boolean;
  direction: 'ASC' | 'DESC';
  /** The sort keys as SQL for a table alias, e.g. (a) => [`${a}.created_at`, `${a}.id`]. */
  keys: (alias: string) => string[];
  idOf: (row: T) => string;
}

/**
 * One page of a query in `order`, after the cursor (keyset pagination: the cursor row's own sort
 * keys bound the page, so no item is skipped or shown twice however far one pages).
 */
export async function keysetPage<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, order: KeysetOrder<T>, page: PaginationQuery): Promise<Page<T>> {
  const alias = qb.alias;
  const keys = order.keys(alias);
  if (page.startingAfter !== undefined) {
    const after = decodeCursor(page.startingAfter, order.idIsUuid);
    const found: unknown[] = await qb.connection.query(`SELECT 1 FROM ${order.table} WHERE ${order.idColumn} = $1`, [after]);
    if (found.length === 0) throw invalidCursor();
    const cursorKeys = order.keys('cursor_row').join(', ');
    const cmp = order.direction === 'ASC' ? '>' : '<';
    qb.andWhere(`(${keys.join(', ')}) ${cmp} (SELECT ${cursorKeys} FROM ${order.table} cursor_row WHERE cursor_row.${order.idColumn} = :pageAfter)`, { pageAfter: after });
  }
  qb.orderBy(keys[0]!, order.direction);
  for (const key of keys.slice(1)) qb.addOrderBy(key, order.direction);
  const rows = await qb.limit(page.limit + 1).getMany();
  return pageOf(rows, page.limit, order.idOf);
}

/** The same page over a list held in memory (already in its stable order), e.g. the chart of accounts. */
export function arrayPage<T>(items: readonly T[], idOf: (item: T) => string, page: PaginationQuery): Page<T> {
  let start = 0;
  if (page.startingAfter !== undefined) {
    const after = decodeCursor(page.startingAfter, false);
    const at = items.findIndex((item) => idOf(item) === after);
    if (at < 0) throw invalidCursor();
    start = at + 1;
  }
  return pageOf(items.slice(start, start + page.limit + 1), page.limit, idOf);
}

function pageOf<T>(rows: T[], limit: number, idOf: (row: T) => string): Page<T> {
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  return { data, hasMore, nextCursor: hasMore ? encodeCursor(idOf(data[data.length - 1]!)) : null };
}

export function mapPage<T, R>(page: Page<T>, map: (item: T) => R): Page<R> {
  return { data: page.data.map(map), hasMore: page.hasMore, nextCursor: page.nextCursor };
}

const pageClasses = new Map<Type<unknown>, Type<unknown>>();

/** The response class of `Page<item>` (one per item class, named e.g. `ListingPage`), for the OpenAPI document. */
export function PageOf(item: Type<unknown>): Type<unknown> {
  const known = pageClasses.get(item);
  if (known) return known;
  class PageResponse {
    @ApiProperty({ type: [item] }) data: unknown[];
    @ApiProperty({ description: 'More items follow this page' }) hasMore: boolean;
    @ApiProperty({ type: String, nullable: true, description: 'Pass as `startingAfter` for the next page; null on the last page' }) nextCursor: string | null;
  }
  Object.defineProperty(PageResponse, 'name', { value: `${item.name.replace(/Response$/, '')}Page` });
  pageClasses.set(item, PageResponse);
  return PageResponse;
}

/** Declares the 200 answer of a list: `Page<item>`, its items being the mapper's response class (typed as ApiAnswer is). */
export function ApiPageResponse<T>(item: Type<T>, description = 'A page of the list, in its stable order') {
  const decorate = ApiOkResponse({ type: PageOf(item), description });
  return <M extends Answering<Page<T>>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    decorate(target, key, descriptor);
  };
}
