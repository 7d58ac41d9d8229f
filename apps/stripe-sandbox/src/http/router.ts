import type { Sandbox, RequestContext } from '../engine/sandbox.js';
import type { FormObject } from './form.js';

export interface ApiRequest {
  method: string;
  path: string;
  form: FormObject;
  /** an API v2 request's JSON body (null for v1 and for GET/DELETE) */
  json: unknown;
  pathParams: Record<string, string>;
  ctx: RequestContext;
}

export type ApiResult = { id?: string; object?: string } | { status: number; body: unknown };
export type Handler = (sb: Sandbox, req: ApiRequest) => object;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export class Router {
  private routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; pathParams: Record<string, string> } | 'method_mismatch' | null {
    const parts = path.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = route.segments[i];
        if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(parts[i]);
        else if (seg !== parts[i]) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      pathMatched = true;
      if (route.method === method) return { handler: route.handler, pathParams: params };
    }
    return pathMatched ? 'method_mismatch' : null;
  }
}
