import type { SandboxState } from '../engine/state.js';
import { paramError } from './errors.js';

type Json = unknown;

// `expand[]`: replace an id with its object, for dotted paths (`data.balance_transaction`,
// `latest_charge.balance_transaction`). Works on a copy: stored objects keep their ids.
/** Called for each object an expansion brings in, with the object holding the id and its field; throws to refuse it. */
export type ExpandGuard = (found: { id: string; object?: unknown }, holder: Record<string, unknown>, field: string) => void;

export function applyExpand(body: object, paths: string[], state: SandboxState, guard?: ExpandGuard): object {
  if (paths.length === 0) return body;
  const copy = structuredClone(body) as Record<string, Json>;
  for (const path of paths) {
    if (path.split('.').length > 4) throw paramError(`You cannot expand more than 4 levels of a property. Property: ${path}`, 'expand');
    expandPath(copy, path.split('.'), state, path, guard);
  }
  return copy;
}

function expandPath(node: Json, parts: string[], state: SandboxState, full: string, guard?: ExpandGuard): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) expandPath(item, parts, state, full, guard);
    return;
  }
  const rec = node as Record<string, Json>;
  const [head, ...rest] = parts;
  if (!(head in rec)) throw paramError(`This property cannot be expanded (${full}).`, 'expand');
  let value = rec[head];
  if (rest.length === 0 || typeof value === 'string') {
    if (typeof value === 'string') {
      const found = state.find(value);
      if (!found) throw paramError(`This property cannot be expanded (${full}).`, 'expand');
      guard?.(found.obj, rec, head);
      value = structuredClone(found.obj);
      rec[head] = value;
    } else if (value !== null && rest.length === 0 && (typeof value !== 'object' || !('id' in (value as object)))) {
      throw paramError(`This property cannot be expanded (${full}).`, 'expand');
    }
  }
  if (rest.length) expandPath(value, rest, state, full, guard);
}
