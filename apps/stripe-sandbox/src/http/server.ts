import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { V2_IDEMPOTENCY_TTL_SECONDS } from '../core/idempotency.js';
import { newId } from '../core/ids.js';
import { API_VERSION, type RequestContext, type Sandbox } from '../engine/sandbox.js';
import { StripeApiError, accountInvalid, invalidRequest, redactKey } from './errors.js';
import { assertMayExpand, assertPermitted } from '../engine/restricted-keys.js';
import { applyExpand, type ExpandGuard } from './expand.js';
import type { FaultInjector, FaultRequest, FaultRule } from './faults.js';
import { parseForm, splitKey, type FormObject } from './form.js';
import type { RequestMeter } from './request-meter.js';
import type { Router } from './router.js';

export type ControlHandler = (req: IncomingMessage, res: ServerResponse, url: URL, body: string) => Promise<void> | void;

export interface ServerDeps {
  sb: Sandbox;
  router: Router;
  faults: FaultInjector;
  control: ControlHandler;
  meter: RequestMeter;
  log?: (line: string) => void;
}

const MAX_BODY = 1024 * 1024;

export function createHttpServer(deps: ServerDeps): { server: http.Server; sockets: Set<Socket> } {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    // counted as it arrives, whatever happens to it next (a fault, a 4xx)
    if (req.url?.startsWith('/v1/') || req.url?.startsWith('/v2/')) deps.meter.record(req.method ?? 'GET', req.url.split('?')[0]!);
    const requestId = newId('req', 14);
    res.setHeader('Request-Id', requestId);
    // an HTTP Date on Stripe's clock, as Stripe's own responses carry theirs: here the sandbox's clock, which tests move ahead
    res.setHeader('Date', new Date(deps.sb.now() * 1000).toUTCString());
    res.on('finish', () => {
      if (req.url?.startsWith('/v1/') || req.url?.startsWith('/v2/')) deps.meter.recordHandled(req.method ?? 'GET', req.url.split('?')[0]!, Number(process.hrtime.bigint() - started) / 1e6);
      logLine(deps, req, res.statusCode, started);
    });
    res.on('close', () => {
      if (!res.writableFinished) logLine(deps, req, 0, started);
    });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const body = chunks.length ? Buffer.concat(chunks).toString('utf8') : '';
      handle(deps, req, res, body, requestId).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { type: 'api_error', message: `Sandbox internal error: ${err instanceof Error ? err.message : String(err)}` } });
      });
    });
  });
  server.keepAliveTimeout = 65_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return { server, sockets };
}

function logLine(deps: ServerDeps, req: IncomingMessage, status: number, started: bigint): void {
  if (!deps.log) return;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // Never the Authorization header: method, path, status, time only.
  deps.log(`${req.method} ${(req.url ?? '').split('?')[0]} ${status || 'aborted'} ${ms.toFixed(1)}ms`);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, err: StripeApiError, v2 = false): void {
  sendJson(res, err.status, v2 ? v2ErrorBody(err) : err.toJSON(), err.headers);
}

/** API v2's error envelope: `{ error: { type, code, message } }` (no v1 `param`/`doc_url`). */
function v2ErrorBody(err: StripeApiError): { error: { type: string; code?: string; message: string } } {
  const { type, code, message } = err.body;
  return { error: { type, ...(code ? { code } : {}), message } };
}

/** Same JSON whatever the key order, so a replay of the same v2 body matches its first request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, body: string, requestId: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox.local');
  const method = req.method ?? 'GET';
  if (url.pathname.startsWith('/_sandbox')) return deps.control(req, res, url, body);
  const v2 = url.pathname.startsWith('/v2/');
  if (!url.pathname.startsWith('/v1/') && !v2) return sendError(res, invalidRequest(`Unrecognized request URL (${method}: ${url.pathname}).`, undefined, undefined, 404));

  const faults = deps.faults.take(method, url.pathname, faultRequest(req, method, url, body, v2));
  const latency = faults.filter((f) => f.kind === 'latency').reduce((a, f) => a + f.latencyMs, 0);
  const fault: FaultRule | undefined = faults.find((f) => f.kind !== 'latency');
  if (fault && (fault.kind === 'connection_reset' || fault.kind === 'timeout' || fault.kind === 'error_500' || fault.kind === 'rate_limit')) {
    if (latency) await sleep(latency);
    return failBefore(res, fault, v2);
  }

  const { sb } = deps;
  let ctx: RequestContext;
  let form: FormObject;
  let json: unknown = null;
  try {
    ctx = authenticate(sb, req, requestId, method, url.pathname);
    if (v2) {
      // API v2: JSON bodies; GET/DELETE carry their parameters in the query string.
      form = method === 'GET' || method === 'DELETE' ? parseForm(url.search.slice(1)) : {};
      if (method === 'POST') json = parseJsonBody(body);
    } else {
      form = parseForm(method === 'GET' || method === 'DELETE' ? url.search.slice(1) : body);
      if (method === 'DELETE' && body) Object.assign(form, parseForm(body));
    }
  } catch (err) {
    if (err instanceof StripeApiError) return sendError(res, err, v2);
    throw err;
  }
  res.setHeader('Stripe-Version', String(req.headers['stripe-version'] ?? API_VERSION));
  if (ctx.connected) res.setHeader('Stripe-Account', ctx.account);

  const idemKey = method === 'POST' || (v2 && method === 'DELETE') ? ctx.idempotencyKey : null;
  const scope = `${ctx.apiKey}|${ctx.account}`;
  if (idemKey) {
    res.setHeader('Idempotency-Key', idemKey);
    const fingerprint = v2 ? `${method} ${url.pathname}${url.search} ${canonicalJson(json)}` : `${method} ${url.pathname} ${body}`;
    const r = sb.idempotency.reserve(scope, idemKey, fingerprint, sb.now(), v2 ? V2_IDEMPOTENCY_TTL_SECONDS : undefined);
    if (r.kind === 'replay') {
      if (fault?.kind === 'lose_response') {
        req.socket.destroy();
        return;
      }
      res.setHeader('Idempotent-Replayed', 'true');
      res.setHeader('Original-Request', r.response.requestId);
      return sendJson(res, r.response.status, r.response.body);
    }
    if (r.kind === 'mismatch' && v2)
      return sendJson(res, 400, {
        error: {
          type: 'idempotency_error',
          code: 'idempotency_key_reused',
          message: `The idempotency key '${idemKey}' was already used for a different request. An idempotency key can only be retried with the same request parameters.`,
        },
      });
    if (r.kind === 'mismatch')
      return sendJson(res, 400, {
        error: {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
        },
      });
    if (r.kind === 'in_flight')
      return sendError(
        res,
        new StripeApiError(
          409,
          {
            type: 'invalid_request_error',
            code: 'idempotency_key_in_use',
            message:
              'There is currently another in-progress request using this idempotent key (that probably means you submitted twice, and the other request is still going through). Please try again later.',
          },
          false,
          { 'Stripe-Should-Retry': 'true' },
        ),
        v2,
      );
  }
  if (latency) await sleep(latency);

  let status = 200;
  let text: string;
  let saved = true;
  const match = deps.router.match(method, url.pathname);
  try {
    if (match === null || match === 'method_mismatch')
      throw invalidRequest(`Unrecognized request URL (${method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`, undefined, undefined, 404);
    sb.ctx = ctx;
    try {
      const result = match.handler(sb, { method, path: url.pathname, form, json, pathParams: match.pathParams, ctx });
      const expand = v2 ? [] : expandList(form);
      text = JSON.stringify(expand.length ? applyExpand(result, expand, sb.state, expandGuard(ctx, method)) : result);
    } finally {
      sb.flushBalanceAvailable();
      sb.ctx = null;
    }
    sb.onChange();
  } catch (err) {
    if (!(err instanceof StripeApiError)) {
      status = 500;
      saved = false;
      text = JSON.stringify({ error: { type: 'api_error', message: `Sandbox internal error: ${err instanceof Error ? err.message : String(err)}` } });
      if (deps.log) deps.log(`internal error on ${method} ${url.pathname}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    } else {
      status = err.status;
      saved = err.savedForIdempotency;
      text = JSON.stringify(v2 ? v2ErrorBody(err) : err.toJSON());
      for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    }
  }
  // API v2: "retries don't repeat successful operations"; failed work is retried (nothing is replayed).
  if (v2 && status >= 400) saved = false;
  if (idemKey) {
    if (saved) sb.idempotency.complete(scope, idemKey, { status, body: text, requestId: ctx.requestId });
    else sb.idempotency.release(scope, idemKey);
  }
  if (fault?.kind === 'lose_response') {
    // The effect happened; the client never hears about it.
    req.socket.destroy();
    return;
  }
  sendJson(res, status, text);
}

/** The request as a fault rule aimed at our objects reads it: its parameters parsed once, on first use. */
function faultRequest(req: IncomingMessage, method: string, url: URL, body: string, v2: boolean): FaultRequest {
  let parsed: unknown;
  let read = false;
  const header = req.headers['stripe-account'];
  return {
    account: Array.isArray(header) ? header[0] : header,
    param(name) {
      if (!read) {
        read = true;
        try {
          parsed = v2 && method === 'POST' ? parseJsonBody(body) : parseForm(method === 'GET' || method === 'DELETE' ? url.search.slice(1) : body);
        } catch {
          parsed = undefined; // a body the request itself will be refused for: no parameter matches
        }
      }
      let node = parsed;
      for (const seg of splitKey(name)) node = node && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[seg] : undefined;
      return typeof node === 'string' ? node : undefined;
    },
  };
}

/**
 * A restricted key reads through `expand[]` only what it could read directly. Checked on reads:
 * a write's expansion is resolved after its effect, too late to refuse it.
 */
function expandGuard(ctx: RequestContext, method: string): ExpandGuard | undefined {
  const { restricted } = ctx;
  if (!restricted || method !== 'GET') return undefined;
  return (found, holder, field) => assertMayExpand(ctx.apiKey, restricted, found, holder, field, ctx.account, ctx.connected);
}

function parseJsonBody(body: string): unknown {
  if (!body.trim()) return {};
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new StripeApiError(
      400,
      { type: 'invalid_request_error', code: 'invalid_json', message: 'The request body is not valid JSON. API v2 requests take JSON bodies (Content-Type: application/json).' },
      false,
    );
  }
}

function expandList(form: FormObject): string[] {
  const e = form.expand;
  if (typeof e === 'string') return [e];
  if (Array.isArray(e)) return e.filter((x): x is string => typeof x === 'string');
  return [];
}

function authenticate(sb: Sandbox, req: IncomingMessage, requestId: string, method: string, path: string): RequestContext {
  const header = req.headers.authorization ?? '';
  let key = '';
  if (header.startsWith('Bearer ')) key = header.slice(7).trim();
  else if (header.startsWith('Basic ')) key = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0];
  if (!key)
    throw new StripeApiError(401, {
      type: 'invalid_request_error',
      message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    });
  if (!/^(sk|rk)_test_\S+$/.test(key))
    throw new StripeApiError(401, {
      type: 'invalid_request_error',
      code: 'api_key_invalid',
      message: `Invalid API Key provided: ${redactKey(key)}. The sandbox accepts any test-mode secret key (sk_test_...).`,
    });
  // A restricted key is one made through the control API, acting for its secret key's platform.
  const restricted = key.startsWith('rk_') ? sb.state.restrictedKeys.get(key) : undefined;
  if (key.startsWith('rk_') && !restricted) throw new StripeApiError(401, { type: 'invalid_request_error', code: 'api_key_invalid', message: `Invalid API Key provided: ${redactKey(key)}` });
  const platform = restricted ? restricted.platform : sb.platformFor(key);
  const header2 = req.headers['stripe-account'];
  const stripeAccount = Array.isArray(header2) ? header2[0] : header2;
  const idem = req.headers['idempotency-key'];
  const idempotencyKey = (Array.isArray(idem) ? idem[0] : idem) ?? null;
  const connected = !!stripeAccount && stripeAccount !== platform;
  if (connected && !sb.state.isAccountOf(platform, stripeAccount)) throw accountInvalid(key, stripeAccount);
  const account = connected ? stripeAccount : platform;
  if (restricted) assertPermitted(key, restricted, method, path, account, connected);
  return { apiKey: key, platform, account, connected, requestId, idempotencyKey, ...(restricted ? { restricted } : {}) };
}

function failBefore(res: ServerResponse, fault: FaultRule, v2: boolean): void {
  if (fault.kind === 'connection_reset') {
    res.socket?.destroy();
    return;
  }
  if (fault.kind === 'timeout') {
    // Hold the request open and answer nothing; the client's timeout fires. close() ends it.
    return;
  }
  if (fault.kind === 'rate_limit') {
    const message = 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.';
    return sendError(res, new StripeApiError(429, { type: 'invalid_request_error', code: 'rate_limit', message }), v2);
  }
  sendError(res, new StripeApiError(500, { type: 'api_error', message: 'An unknown error occurred (injected by the sandbox).' }), v2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
