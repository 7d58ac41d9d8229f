import { newId } from '../core/ids.js';
import { SandboxRandom } from '../core/random.js';

export type FaultKind = 'error_500' | 'connection_reset' | 'timeout' | 'lose_response' | 'rate_limit' | 'latency';

export interface FaultRule {
  id: string;
  method: string; // '*' for any
  path: string; // exact, or with `*` matching one segment, or ending in `/**` for any suffix
  kind: FaultKind;
  /** apply to the next N matching requests (null: no limit) */
  remaining: number | null;
  /** apply to this fraction of matching requests (1 = all) */
  fraction: number;
  latencyMs: number;
  /** only requests whose parameters hold these values, e.g. `{ 'metadata[order_id]': 'ord_1' }` (form body, query or v2 JSON) */
  params: Record<string, string> | null;
  /** only requests made on this account (the `Stripe-Account` header) */
  account: string | null;
  hits: number;
}

/** What a rule with `params` or `account` looks at: read only when such a rule is reached. */
export interface FaultRequest {
  /** the value at a bracketed parameter name (`metadata[order_id]`), if it is a string */
  param(name: string): string | undefined;
  /** the `Stripe-Account` header, if any */
  account: string | undefined;
}

export interface FaultInput {
  method?: string;
  path: string;
  kind: FaultKind;
  count?: number | null;
  fraction?: number;
  latencyMs?: number;
  params?: Record<string, string>;
  account?: string;
}

/** One request a rule fired on, in order: what a replay is compared by. */
export interface FiredFault {
  rule: string;
  /** the rule carried `params` or `account` */
  aimed: boolean;
  kind: FaultKind;
  method: string;
  path: string;
}

export const FAULT_KINDS: FaultKind[] = ['error_500', 'connection_reset', 'timeout', 'lose_response', 'rate_limit', 'latency'];

export class FaultInjector {
  private rules: FaultRule[] = [];
  /** every firing, oldest first (the last 5000) */
  readonly fired: FiredFault[] = [];

  constructor(private readonly random: SandboxRandom = new SandboxRandom()) {}

  add(input: FaultInput): FaultRule {
    const rule: FaultRule = {
      id: newId('fault', 12),
      method: (input.method ?? '*').toUpperCase(),
      path: input.path,
      kind: input.kind,
      remaining: input.count ?? (input.fraction !== undefined ? null : 1),
      fraction: input.fraction ?? 1,
      latencyMs: input.latencyMs ?? 0,
      params: input.params && Object.keys(input.params).length ? { ...input.params } : null,
      account: input.account ?? null,
      hits: 0,
    };
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.rules;
  }

  clear(): void {
    this.rules = [];
  }

  /** Forget the rules and what they fired on. */
  reset(): void {
    this.rules = [];
    this.fired.length = 0;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  /** The faults that fire for this request (a latency rule can combine with one other). */
  take(method: string, path: string, request?: FaultRequest): FaultRule[] {
    if (this.rules.length === 0) return [];
    const fired: FaultRule[] = [];
    for (const rule of this.rules) {
      if (rule.method !== '*' && rule.method !== method) continue;
      if (!pathMatches(rule.path, path)) continue;
      if (rule.remaining !== null && rule.remaining <= 0) continue;
      if (!aimedAt(rule, request)) continue;
      if (rule.fraction < 1 && this.random.next() >= rule.fraction) continue;
      if (rule.kind !== 'latency' && fired.some((f) => f.kind !== 'latency')) continue;
      if (rule.remaining !== null) rule.remaining--;
      rule.hits++;
      fired.push(rule);
      this.fired.push({ rule: rule.id, aimed: rule.params !== null || rule.account !== null, kind: rule.kind, method, path });
      if (this.fired.length > 5000) this.fired.splice(0, this.fired.length - 5000);
    }
    this.rules = this.rules.filter((r) => r.remaining === null || r.remaining > 0);
    return fired;
  }
}

function aimedAt(rule: FaultRule, request: FaultRequest | undefined): boolean {
  if (rule.account !== null && request?.account !== rule.account) return false;
  if (rule.params === null) return true;
  if (!request) return false;
  return Object.entries(rule.params).every(([name, value]) => request.param(name) === value);
}

export function pathMatches(pattern: string, path: string): boolean {
  if (pattern === '*' || pattern === path) return true;
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '**') return true;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
