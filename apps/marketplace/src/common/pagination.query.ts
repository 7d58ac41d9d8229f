import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, ValidateBy } from 'class-validator';

export const MAX_PAGE_LIMIT = 200;
export const DEFAULT_PAGE_LIMIT = 50;
export const LIMIT_MESSAGE = `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`;
export const CURSOR_MESSAGE = 'startingAfter must be the nextCursor of a previous page of this list';

// A query string value is a string (or an array when repeated): only plain digits become a number,
// so `abc`, `1.5`, `1e2` and `?limit=1&limit=2` fail the one check below with the one message.
const toLimit = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : value);

/**
 * `?limit=&startingAfter=` for every list: a page of `limit` items after the cursor, in the list's
 * stable order. Extend it with the endpoint's filters; `keysetPage` / `arrayPage` read it.
 */
export class PaginationQuery {
  @ApiPropertyOptional({ type: 'integer', default: DEFAULT_PAGE_LIMIT, minimum: 1, maximum: MAX_PAGE_LIMIT, description: 'Items per page' })
  @IsOptional()
  @Transform(toLimit)
  @ValidateBy(
    { name: 'isPageLimit', validator: { validate: (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_PAGE_LIMIT } },
    { message: LIMIT_MESSAGE, context: { code: 'PAGINATION.INVALID_LIMIT' } },
  )
  limit: number = DEFAULT_PAGE_LIMIT;

  @ApiPropertyOptional({ description: "The previous page's `nextCursor` (opaque): the page after it. Without it, the first page." })
  @IsOptional()
  @ValidateBy(
    { name: 'isPageCursor', validator: { validate: (v: unknown) => typeof v === 'string' && /^[A-Za-z0-9_-]{1,400}$/.test(v) } },
    { message: CURSOR_MESSAGE, context: { code: 'PAGINATION.INVALID_CURSOR' } },
  )
  startingAfter?: string;
}
