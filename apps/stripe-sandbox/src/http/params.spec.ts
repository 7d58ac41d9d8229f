import { StripeApiError } from './errors.js';
import { parseForm } from './form.js';
import { mergeMetadata, obj, oneOf, req, validate } from './params.js';

function errorOf(fn: () => unknown): StripeApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StripeApiError) return err;
  }
  throw new Error('expected a StripeApiError');
}

const SCHEMA = { amount: req('integer'), currency: req('currency'), transfer_data: obj({ destination: req('string') }), method: oneOf('standard', 'instant'), confirm: 'boolean' } as const;

describe('validate', () => {
  it('coerces types and lowercases currencies', () => {
    const p = validate(parseForm('amount=1000&currency=USD&confirm=true&transfer_data[destination]=acct_1'), SCHEMA);
    expect(p.int('amount')).toBe(1000);
    expect(p.str('currency')).toBe('usd');
    expect(p.bool('confirm')).toBe(true);
    expect(p.obj('transfer_data')?.str('destination')).toBe('acct_1');
  });

  it('names the unknown, missing and mistyped parameter like Stripe', () => {
    expect(errorOf(() => validate(parseForm('amount=1&currency=usd&nope=1'), SCHEMA)).toJSON().error).toMatchObject({ code: 'parameter_unknown', param: 'nope' });
    expect(errorOf(() => validate(parseForm('amount=1&currency=usd&transfer_data[bad]=1'), SCHEMA)).toJSON().error).toMatchObject({ code: 'parameter_unknown', param: 'transfer_data[bad]' });
    expect(errorOf(() => validate(parseForm('currency=usd'), SCHEMA)).toJSON().error).toMatchObject({ code: 'parameter_missing', param: 'amount' });
    expect(errorOf(() => validate(parseForm('amount=1&currency=usd&transfer_data[x]='), { ...SCHEMA, transfer_data: obj({ x: req('string') }) })).toJSON().error).toMatchObject({
      code: 'parameter_invalid_empty',
    });
    const wrong = errorOf(() => validate(parseForm('amount=12.5&currency=usd'), SCHEMA));
    expect(wrong.status).toBe(400);
    expect(wrong.toJSON().error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'amount' });
    expect(errorOf(() => validate(parseForm('amount=1&currency=usd&method=fast'), SCHEMA)).toJSON().error.param).toBe('method');
    // Validation failures are never saved under an idempotency key.
    expect(wrong.savedForIdempotency).toBe(false);
  });

  it('always allows expand[]', () => {
    expect(validate(parseForm('amount=1&currency=usd&expand[0]=x'), SCHEMA).strs('expand')).toEqual(['x']);
  });
});

describe('mergeMetadata', () => {
  it('sets, unsets with an empty value, and clears everything', () => {
    expect(mergeMetadata({ a: '1', b: '2' }, { b: '', c: '3' }, false)).toEqual({ a: '1', c: '3' });
    expect(mergeMetadata({ a: '1' }, undefined, true)).toEqual({});
  });
});
