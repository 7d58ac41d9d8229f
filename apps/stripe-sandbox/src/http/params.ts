import { paramError } from './errors.js';
import { bracket, type FormObject, type FormValue } from './form.js';

// A small schema language for request parameters, so every endpoint rejects unknown, missing and
// mistyped parameters the way Stripe does (400 invalid_request_error naming the `param`).
export type Spec = 'string' | 'integer' | 'boolean' | 'currency' | 'metadata' | 'range' | 'strings' | { enum: readonly string[] } | { fields: Schema } | { each: Spec };
export type Field = Spec | { spec: Spec; required: true };
export type Schema = { [name: string]: Field };

export const req = (spec: Spec): Field => ({ spec, required: true });
export const oneOf = (...values: string[]): Spec => ({ enum: values });
export const obj = (fields: Schema): Spec => ({ fields });
export const listOf = (spec: Spec): Spec => ({ each: spec });

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
export type Range = { gt?: number; gte?: number; lt?: number; lte?: number };

const COMMON: Schema = { expand: 'strings' };

export function validate(input: FormObject, schema: Schema, path: string[] = [], top = true): Params {
  const all = top ? { ...COMMON, ...schema } : schema;
  const out: { [key: string]: Value } = {};
  for (const key of Object.keys(input)) {
    const field = all[key];
    if (!field) throw paramError(`Received unknown parameter: ${bracket([...path, key])}`, bracket([...path, key]), 'parameter_unknown');
  }
  for (const [key, field] of Object.entries(all)) {
    const spec = typeof field === 'object' && 'required' in field ? field.spec : (field as Spec);
    const required = typeof field === 'object' && 'required' in field;
    const p = [...path, key];
    const raw = input[key];
    if (raw === undefined) {
      if (required) throw paramError(`Missing required param: ${bracket(p)}.`, bracket(p), 'parameter_missing');
      continue;
    }
    if (raw === '' && spec !== 'metadata') {
      if (required)
        throw paramError(
          `You passed an empty string for '${bracket(p)}'. We assume empty values are an attempt to unset a parameter; however '${bracket(p)}' cannot be unset. You should remove '${bracket(p)}' from your request or supply a non-empty value.`,
          bracket(p),
          'parameter_invalid_empty',
        );
      out[key] = null;
      continue;
    }
    out[key] = coerce(raw, spec, p);
  }
  return new Params(out);
}

function coerce(raw: FormValue, spec: Spec, p: string[]): Value {
  const name = bracket(p);
  if (spec === 'string') {
    if (typeof raw !== 'string') throw paramError(`Invalid string: ${JSON.stringify(raw)}`, name);
    return raw;
  }
  if (spec === 'integer') {
    if (typeof raw !== 'string' || !/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)))
      throw paramError(`Invalid integer: ${typeof raw === 'string' ? raw : JSON.stringify(raw)}`, name, 'parameter_invalid_integer');
    return Number(raw);
  }
  if (spec === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw paramError(`Invalid boolean: ${typeof raw === 'string' ? raw : JSON.stringify(raw)}`, name);
    return raw === 'true';
  }
  if (spec === 'currency') {
    if (typeof raw !== 'string' || !/^[a-zA-Z]{3}$/.test(raw)) throw paramError(`Invalid currency: ${String(raw)}`, name);
    return raw.toLowerCase();
  }
  if (spec === 'metadata') {
    if (raw === '') return {};
    if (typeof raw !== 'object' || Array.isArray(raw)) throw paramError(`Invalid hash`, name);
    const out: { [k: string]: Value } = {};
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v !== 'string') throw paramError(`Invalid string: metadata values must be strings`, bracket([...p, k]));
      if (k.length > 40) throw paramError(`Metadata keys can have up to 40 characters`, bracket([...p, k]));
      if (v.length > 500) throw paramError(`Metadata values can have up to 500 characters`, bracket([...p, k]));
      out[k] = v;
    }
    if (Object.keys(out).length > 50) throw paramError(`Metadata can have up to 50 keys`, name);
    return out;
  }
  if (spec === 'strings') {
    const arr = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : null;
    if (!arr || arr.some((v) => typeof v !== 'string')) throw paramError(`Invalid array`, name);
    return arr as string[];
  }
  if (spec === 'range') {
    if (typeof raw === 'string') return coerce(raw, 'integer', p);
    if (Array.isArray(raw)) throw paramError(`Invalid hash`, name);
    return validate(raw, { gt: 'integer', gte: 'integer', lt: 'integer', lte: 'integer' }, p, false).raw;
  }
  if ('enum' in spec) {
    if (typeof raw !== 'string' || !spec.enum.includes(raw)) throw paramError(`Invalid ${name}: must be one of ${spec.enum.join(', ')}`, name);
    return raw;
  }
  if ('fields' in spec) {
    if (typeof raw !== 'object' || Array.isArray(raw)) throw paramError(`Invalid hash`, name);
    return validate(raw, spec.fields, p, false).raw;
  }
  const arr = Array.isArray(raw) ? raw : typeof raw === 'object' ? null : null;
  if (!arr) throw paramError(`Invalid array`, name);
  return arr.map((v, i) => coerce(v, spec.each, [...p, String(i)]));
}

// Typed access to validated parameters.
export class Params {
  constructor(readonly raw: { [key: string]: Value }) {}
  has(k: string): boolean {
    return this.raw[k] !== undefined;
  }
  isNull(k: string): boolean {
    return this.raw[k] === null;
  }
  str(k: string): string | undefined {
    const v = this.raw[k];
    return typeof v === 'string' ? v : undefined;
  }
  int(k: string): number | undefined {
    const v = this.raw[k];
    return typeof v === 'number' ? v : undefined;
  }
  bool(k: string): boolean | undefined {
    const v = this.raw[k];
    return typeof v === 'boolean' ? v : undefined;
  }
  obj(k: string): Params | undefined {
    const v = this.raw[k];
    return v && typeof v === 'object' && !Array.isArray(v) ? new Params(v) : undefined;
  }
  objs(k: string): Params[] {
    const v = this.raw[k];
    return Array.isArray(v) ? v.filter((x) => x && typeof x === 'object' && !Array.isArray(x)).map((x) => new Params(x as { [key: string]: Value })) : [];
  }
  strs(k: string): string[] {
    const v = this.raw[k];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }
  meta(k: string): Record<string, string> | undefined {
    const v = this.raw[k];
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const out: Record<string, string> = {};
    for (const [key, val] of Object.entries(v)) if (typeof val === 'string') out[key] = val;
    return out;
  }
  range(k: string): Range | number | undefined {
    const v = this.raw[k];
    if (typeof v === 'number') return v;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const r: Range = {};
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) if (typeof v[op] === 'number') r[op] = v[op] as number;
    return r;
  }
}

export function inRange(value: number, r: Range | number | undefined): boolean {
  if (r === undefined) return true;
  if (typeof r === 'number') return value === r;
  return (r.gt === undefined || value > r.gt) && (r.gte === undefined || value >= r.gte) && (r.lt === undefined || value < r.lt) && (r.lte === undefined || value <= r.lte);
}

// Metadata update semantics: an empty value removes the key, `metadata=` clears all.
export function mergeMetadata(current: Record<string, string>, update: Record<string, string> | undefined, clearAll: boolean): Record<string, string> {
  if (clearAll) return {};
  if (!update) return current;
  const out = { ...current };
  for (const [k, v] of Object.entries(update)) {
    if (v === '') delete out[k];
    else out[k] = v;
  }
  return out;
}
