import { newId } from '../core/ids.js';

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
  hits: number;
}

export const FAULT_KINDS: FaultKind[] = ['error_500', 'connection_reset', 'timeout', 'lose_response', 'rate_limit', 'latency'];

export class FaultInjector {
  private rules: FaultRule[] = [];

  add(input: { method?: string; path: string; kind: FaultKind; count?: number | null; fraction?: number; latencyMs?: number }): FaultRule {
    const rule: FaultRule = {
      id: newId('fault', 12),
      method: (input.method ?? '*').toUpperCase(),
      path: input.path,
      kind: input.kind,
      remaining: input.count ?? (input.fraction !== undefined ? null : 1),
      fraction: input.fraction ?? 1,
      latencyMs: input.latencyMs ?? 0,
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

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  /** The faults that fire for this request (a latency rule can combine with one other). */
  take(method: string, path: string): FaultRule[] {
    if (this.rules.length === 0) return [];
    const fired: FaultRule[] = [];
    for (const rule of this.rules) {
      if (rule.method !== '*' && rule.method !== method) continue;
      if (!pathMatches(rule.path, path)) continue;
      if (rule.remaining !== null && rule.remaining <= 0) continue;
      if (rule.fraction < 1 && Math.random() >= rule.fraction) continue;
      if (rule.kind !== 'latency' && fired.some((f) => f.kind !== 'latency')) continue;
      if (rule.remaining !== null) rule.remaining--;
      rule.hits++;
      fired.push(rule);
    }
    this.rules = this.rules.filter((r) => r.remaining === null || r.remaining > 0);
    return fired;
  }
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
