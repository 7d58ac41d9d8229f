import fc from 'fast-check';
import { jsonProblem, MAX_JSON_DEPTH } from './request-body.js';

const nested = (levels: number, inner: unknown = 1): unknown => {
  let value = inner;
  for (let i = 1; i < levels; i++) value = [value];
  return { a: value };
};

describe('jsonProblem', () => {
  it('accepts any JSON of well-formed strings without prototype keys or bidirectional controls, up to the depth limit', () => {
    const safeString = fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\u0000') && !/[\u202a-\u202e\u2066-\u2069]/.test(s));
    const safeKey = safeString.filter((k) => k !== '__proto__' && k !== 'constructor');
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', maxDepth: 6 }, fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), safeString, tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.dictionary(safeKey, tie('value'), { maxKeys: 4 }),
    })).value;
    fc.assert(fc.property(json, (value) => expect(jsonProblem(JSON.parse(JSON.stringify(value)))).toBeUndefined()));
  });

  it(`allows ${MAX_JSON_DEPTH} levels of nesting, refuses ${MAX_JSON_DEPTH + 1}, and any depth without recursing`, () => {
    expect(jsonProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(jsonProblem(nested(MAX_JSON_DEPTH + 1))?.code).toBe('BODY_TOO_DEEP');
    const levels = 1_000_000;
    expect(jsonProblem(JSON.parse('['.repeat(levels) + ']'.repeat(levels)))?.code).toBe('BODY_TOO_DEEP');
  });

  it('refuses prototype keys at any depth, as unknown fields', () => {
    expect(jsonProblem(JSON.parse('{"__proto__":{"admin":true}}'))).toEqual({ code: 'UNKNOWN_FIELD', field: '__proto__' });
    expect(jsonProblem(JSON.parse('{"items":[{"constructor":{}}]}'))).toEqual({ code: 'UNKNOWN_FIELD', field: 'items.0.constructor' });
    expect(jsonProblem({ proto: 1, constructors: 2 })).toBeUndefined();
  });

  it('refuses a NUL character or a lone surrogate in any string or key, and only those', () => {
    expect(jsonProblem({ a: ['x', 'y\u0000'] })).toEqual({ code: 'NUL_CHARACTER', field: 'a.1' });
    expect(jsonProblem({ 'k\u0000': 1 })).toEqual({ code: 'NUL_CHARACTER', field: 'k\u0000' });
    expect(jsonProblem({ a: '\ud800' })?.code).toBe('LONE_SURROGATE');
    expect(jsonProblem({ a: 'x\udfffy' })?.code).toBe('LONE_SURROGATE');
    expect(jsonProblem({ a: '\udfff\ud800' })?.code).toBe('LONE_SURROGATE'); // a low then a high is no pair
    expect(jsonProblem({ a: 'emoji \ud83d\ude00 and é' })).toBeUndefined();
    // String.prototype.isWellFormed (Node 20; not in the es2023 lib types) is the reference
    const wellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => expect(jsonProblem({ s: s.replaceAll('\u0000', '') })?.code === 'LONE_SURROGATE').toBe(!wellFormed(s))));
  });

  it('refuses the bidirectional embeddings, overrides and isolates, and keeps right-to-left text and its marks', () => {
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'])
      expect(jsonProblem({ items: [{ note: `evil${c}txt.exe` }] })).toEqual({ code: 'BIDI_CONTROL_CHARACTER', field: 'items.0.note' });
    expect(jsonProblem({ 'k\u202e': 1 })?.code).toBe('BIDI_CONTROL_CHARACTER');
    expect(jsonProblem({ name: 'متجر الخزف', mark: 'a\u200fb\u200ec' })).toBeUndefined(); // Arabic, RLM and LRM
  });
});
