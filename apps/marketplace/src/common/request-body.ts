import { Injectable, UnsupportedMediaTypeException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { DomainError } from './domain-error.js';

/** The only bodies the API reads. Anything else on a route that takes a body is 415. */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];
export const BODY_LIMIT = '100kb';
/** Deeper JSON is refused before anything recurses over it (validation, request hashing). */
export const MAX_JSON_DEPTH = 32;
// Own keys JSON.parse creates but class-transformer silently drops: refused, never ignored.
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor']);
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
const NUL = /\u0000/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Unicode's explicit embeddings, overrides and isolates (LRE..RLO, LRI..PDI): they reorder how the text
// around them is shown ("evil\u202etxt.exe" reads as "eviléxe.txt"), so a name, title or note could pass
// for another in the dashboard, a payout reason or the audit log. Right-to-left text needs none of them.
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
// the same in a URL, percent-encoded as UTF-8 (E2 80 AA..AE, E2 81 A6..A9)
const BIDI_CONTROL_IN_URL = /%E2%80%A[A-E]|%E2%81%A[6-9]/i;

type BodyRequest = IncomingMessage & { rawBody?: Buffer; body?: unknown };

/** The bytes the JSON parser read (Nest's rawBody option keeps them), or undefined if it did not read this request. */
function jsonBytesRead(req: BodyRequest): number | undefined {
  return Buffer.isBuffer(req.rawBody) ? req.rawBody.length : undefined;
}

/**
 * Reads JSON bodies only (body-parser through Nest, so form-encoded and other types are left
 * unread), then checks what was parsed before anything else sees it. Needs the app created with
 * `bodyParser: false, rawBody: true`; mount after the webhook routes, which read their own raw bodies.
 */
export function useJsonBodies(app: NestExpressApplication): void {
  app.useBodyParser('json', { type: JSON_MEDIA_TYPES, limit: BODY_LIMIT });
  app.use((req: BodyRequest, _res: Response, next: NextFunction) => {
    if (!jsonBytesRead(req)) return next();
    const problem = jsonProblem(req.body);
    next(problem ? toError(problem) : undefined);
  });
}

/**
 * A NUL in the path or query (%00) is refused too: PostgreSQL text cannot hold it, so a lookup by it
 * would fail. So is a bidirectional control character, as in a body.
 */
export function refuseNulInUrl(req: Request, _res: Response, next: NextFunction): void {
  if (req.originalUrl.includes('%00')) return next(new DomainError('NUL_CHARACTER', 'The URL must not contain the NUL character (%00)', 'invalid', { field: 'url' }));
  if (BIDI_CONTROL_IN_URL.test(req.originalUrl))
    return next(new DomainError('BIDI_CONTROL_CHARACTER', 'The URL must not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069)', 'invalid', { field: 'url' }));
  next();
}

export type JsonProblem =
  | { code: 'BODY_TOO_DEEP'; field: string }
  | { code: 'UNKNOWN_FIELD'; field: string }
  | { code: 'NUL_CHARACTER'; field: string }
  | { code: 'LONE_SURROGATE'; field: string }
  | { code: 'BIDI_CONTROL_CHARACTER'; field: string };

/**
 * The first thing in a parsed JSON body that no route accepts: nesting deeper than
 * MAX_JSON_DEPTH, a prototype key, a NUL character (PostgreSQL text refuses it), a lone UTF-16
 * surrogate (not Unicode; jsonb refuses it) or a bidirectional control character in any key or string. Iterative: any depth is safe.
 */
export function jsonProblem(root: unknown): JsonProblem | undefined {
  const stack: Array<{ value: unknown; depth: number; field: string }> = [{ value: root, depth: 0, field: '' }];
  while (stack.length > 0) {
    const { value, depth, field } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = stringProblem(value);
      if (problem) return { code: problem, field };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth + 1 > MAX_JSON_DEPTH) return { code: 'BODY_TOO_DEEP', field };
    const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
    for (const [key, child] of entries) {
      const path = field ? `${field}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) return { code: 'UNKNOWN_FIELD', field: path };
      const problem = stringProblem(key);
      if (problem) return { code: problem, field: path };
      stack.push({ value: child, depth: depth + 1, field: path });
    }
  }
  return undefined;
}

function stringProblem(s: string): 'NUL_CHARACTER' | 'LONE_SURROGATE' | 'BIDI_CONTROL_CHARACTER' | undefined {
  if (NUL.test(s)) return 'NUL_CHARACTER';
  if (LONE_SURROGATE.test(s)) return 'LONE_SURROGATE';
  if (BIDI_CONTROL.test(s)) return 'BIDI_CONTROL_CHARACTER';
  return undefined;
}

function toError(problem: JsonProblem): DomainError {
  const at = problem.field || 'the body';
  switch (problem.code) {
    case 'BODY_TOO_DEEP':
      return new DomainError(problem.code, `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`, 'invalid', { maxDepth: MAX_JSON_DEPTH });
    case 'UNKNOWN_FIELD':
      // the same details as the validation pipe's unknown fields
      return new DomainError(problem.code, `Unknown field(s): ${problem.field}`, 'invalid', [{ field: problem.field, problems: [`property ${problem.field} should not exist`] }]);
    case 'NUL_CHARACTER':
      return new DomainError(problem.code, `${at}: strings must not contain the NUL character (\\u0000)`, 'invalid', { field: problem.field });
    case 'LONE_SURROGATE':
      return new DomainError(problem.code, `${at}: strings must be valid Unicode (a lone UTF-16 surrogate was sent)`, 'invalid', { field: problem.field });
    case 'BIDI_CONTROL_CHARACTER':
      return new DomainError(problem.code, `${at}: strings must not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069)`, 'invalid', { field: problem.field });
  }
}

/**
 * A route takes a body when its handler has a @Body() parameter: only JSON is accepted there
 * (415 otherwise). Every other route (GETs, and POSTs, PUTs, DELETEs that take none) refuses a
 * non-empty body with 400 rather than ignore it. Runs before interceptors, so a refused request
 * never claims an Idempotency-Key.
 */
@Injectable()
export class RequestBodyGuard implements CanActivate {
  private readonly takesBody = new WeakMap<object, boolean>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (!hasBody(req)) return true;
    if (!this.routeTakesBody(context)) {
      throw new DomainError('BODY_NOT_ALLOWED', `${req.method} ${req.path} takes no request body; send none`, 'invalid');
    }
    if (jsonBytesRead(req) === undefined) {
      const contentType = req.headers['content-type'] ?? null;
      throw new UnsupportedMediaTypeException({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: `Send the body as JSON (Content-Type: application/json); got ${contentType ?? 'no Content-Type'}`,
        details: { contentType, accepted: JSON_MEDIA_TYPES },
      });
    }
    return true;
  }

  private routeTakesBody(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let takes = this.takesBody.get(handler);
    if (takes === undefined) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<string, unknown>;
      takes = Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
      this.takesBody.set(handler, takes);
    }
    return takes;
  }
}

/** Whether the request carries body bytes: what the JSON parser read, else what the headers announce. */
function hasBody(req: Request): boolean {
  const read = jsonBytesRead(req);
  if (read !== undefined) return read > 0;
  if (req.headers['transfer-encoding'] !== undefined) return true; // chunked: unread, so assume bytes
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0' && Number(length) !== 0;
}
