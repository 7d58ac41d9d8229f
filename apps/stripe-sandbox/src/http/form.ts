import { paramError } from './errors.js';

// Stripe's form encoding: `a[b][c]=1`, `expand[0]=x` or `expand[]=x`, `metadata[k]=v`.
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

// Maps are keyed by the caller's own strings, so `metadata[0]` stays a key, never an index.
const MAP_KEYS = new Set(['metadata']);

export function parseForm(input: string): FormObject {
  const root: FormObject = {};
  if (!input) return root;
  for (const pair of input.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const key = decode(rawKey);
    const value = decode(rawValue);
    assign(root, splitKey(key), value, key);
  }
  return normalize(root, '') as FormObject;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

export function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open === -1) return [key];
  const parts = [key.slice(0, open)];
  const re = /\[([^\]]*)\]/g;
  re.lastIndex = open;
  for (let m = re.exec(key); m !== null; m = re.exec(key)) parts.push(m[1]);
  return parts;
}

type Container = FormObject | FormValue[];

function assign(root: FormObject, path: string[], value: string, fullKey: string): void {
  let node: Container = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (Array.isArray(node)) {
      // `[]` appends; a numeric segment inside an array is handled by normalize.
      if (last) {
        node.push(value);
        return;
      }
      const child: FormObject = {};
      node.push(child);
      node = child;
      continue;
    }
    const obj: FormObject = node;
    if (last) {
      if (typeof obj[seg] === 'object') throw paramError(`Invalid value for ${fullKey}: expected a hash`, fullKey);
      obj[seg] = value;
      return;
    }
    const nextIsAppend = path[i + 1] === '';
    let child: FormValue | undefined = obj[seg];
    if (child === undefined) {
      child = nextIsAppend ? [] : {};
      obj[seg] = child;
    } else if (typeof child === 'string') {
      throw paramError(`Invalid hash for ${path.slice(0, i + 1).join('.')}`, bracket(path.slice(0, i + 1)));
    }
    if (nextIsAppend && !Array.isArray(child)) throw paramError(`Invalid array`, bracket(path.slice(0, i + 1)));
    node = child as Container;
    if (nextIsAppend) i++; // consume the `[]` segment
    if (nextIsAppend && i === path.length - 1) {
      (node as FormValue[]).push(value);
      return;
    }
  }
}

function normalize(value: FormValue, key: string): FormValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => normalize(v, ''));
  const keys = Object.keys(value);
  if (!MAP_KEYS.has(key) && keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => normalize(value[String(k)], ''));
  }
  const out: FormObject = {};
  for (const k of keys) out[k] = MAP_KEYS.has(k) ? value[k] : normalize(value[k], k);
  return out;
}

export function bracket(path: string[]): string {
  return (
    path[0] +
    path
      .slice(1)
      .map((p) => `[${p}]`)
      .join('')
  );
}
