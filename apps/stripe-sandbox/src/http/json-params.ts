import { StripeApiError } from './errors.js';

// API v2 request bodies are JSON (docs: "Requests and responses use JSON encoding"). A schema names
// every accepted field; anything else is refused as Stripe refuses unknown parameters, before the
// endpoint runs (so the refusal is not kept under an idempotency key).
export type JsonSchema = 'string' | 'boolean' | 'integer' | 'metadata' | 'string[]' | readonly string[] | { readonly [key: string]: JsonSchema };

export function v2Error(status: number, type: string, code: string, message: string, saved = true): StripeApiError {
  return new StripeApiError(status, { type: type as 'invalid_request_error', code, message }, saved);
}

export function v2ParamError(message: string, code = 'parameter_invalid'): StripeApiError {
  return v2Error(400, 'invalid_request_error', code, message, false);
}

export type Json = Record<string, unknown>;

/** Checks `body` against `schema` (recursively); returns it typed as a plain object. */
export function checkJson(body: unknown, schema: { readonly [key: string]: JsonSchema }, path = ''): Json {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw v2ParamError(`${path || 'The request body'} must be an object.`);
  const out = body as Json;
  for (const [key, value] of Object.entries(out)) {
    const name = path ? `${path}.${key}` : key;
    const rule = schema[key];
    if (rule === undefined) throw v2ParamError(`Received unknown parameter: ${name}`, 'parameter_unknown');
    checkValue(value, rule, name);
  }
  return out;
}

function checkValue(value: unknown, rule: JsonSchema, name: string): void {
  if (value === null) return; // v2 unsets a field with null
  if (rule === 'string') {
    if (typeof value !== 'string') throw v2ParamError(`${name} must be a string.`);
  } else if (rule === 'boolean') {
    if (typeof value !== 'boolean') throw v2ParamError(`${name} must be a boolean.`);
  } else if (rule === 'integer') {
    if (!Number.isInteger(value)) throw v2ParamError(`${name} must be an integer.`);
  } else if (rule === 'string[]') {
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw v2ParamError(`${name} must be an array of strings.`);
  } else if (rule === 'metadata') {
    if (typeof value !== 'object' || Array.isArray(value)) throw v2ParamError(`${name} must be an object of string values.`);
    for (const [k, v] of Object.entries(value as Json)) if (v !== null && typeof v !== 'string') throw v2ParamError(`${name}.${k} must be a string.`);
  } else if (Array.isArray(rule)) {
    if (typeof value !== 'string' || !rule.includes(value)) throw v2ParamError(`${name} must be one of: ${rule.join(', ')}.`);
  } else {
    checkJson(value, rule as { readonly [key: string]: JsonSchema }, name);
  }
}

/** `obj.a.b.c`, or undefined */
export function at(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[k];
  }
  return cur;
}

export function str(obj: unknown, ...path: string[]): string | undefined {
  const v = at(obj, ...path);
  return typeof v === 'string' ? v : undefined;
}

/** RFC 3339 in millisecond precision, UTC, as v2 objects carry times ("2022-09-18T13:22:18.123Z"). */
export function rfc3339(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString();
}

/** `include[]` of a GET (query `include[0]=a&include[1]=b`, `include[]=a` or `include=a`) or of a JSON body. */
export function includes(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((x): x is string => typeof x === 'string');
  if (value && typeof value === 'object') return Object.values(value).filter((x): x is string => typeof x === 'string');
  return [];
}

/**
 * One page of a v2 list (`{ data, next_page_url, previous_page_url }`) of `all` (already in list
 * order). `limit` 1-100 (default 20); `page` is the sandbox's own opaque token (an offset into the
 * same filter), carried in the page URLs with the filter parameters `keep`.
 */
export function v2Page<T>(all: T[], query: Record<string, unknown>, path: string, keep: Array<[string, string]>): { data: T[]; next_page_url: string | null; previous_page_url: string | null } {
  const limit = typeof query.limit === 'string' ? Number(query.limit) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw v2ParamError('limit must be an integer between 1 and 100.');
  const offset = typeof query.page === 'string' ? Number(Buffer.from(query.page, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw v2ParamError('page is not a page token this list gave.');
  const url = (at: number) => {
    const params = new URLSearchParams([['limit', String(limit)], ['page', Buffer.from(String(at)).toString('base64url')], ...keep]);
    return `${path}?${params.toString()}`;
  };
  return { data: all.slice(offset, offset + limit), next_page_url: offset + limit < all.length ? url(offset + limit) : null, previous_page_url: offset > 0 ? url(Math.max(0, offset - limit)) : null };
}
