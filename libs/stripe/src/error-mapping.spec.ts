import Stripe from 'stripe';
import { isRetryable, mapStripeError } from './error-mapping.js';

const raw = (type: string, statusCode: number, extra: Record<string, unknown> = {}) =>
  Stripe.errors.StripeError.generate({ type, message: 'm', statusCode, ...extra } as Parameters<typeof Stripe.errors.StripeError.generate>[0]);

describe('Stripe error mapping', () => {
  it.each([
    [raw('card_error', 402, { code: 'card_declined', decline_code: 'insufficient_funds' }), 'STRIPE.CARD_DECLINED'],
    [raw('invalid_request_error', 400, { code: 'balance_insufficient' }), 'STRIPE.INSUFFICIENT_BALANCE'],
    [raw('invalid_request_error', 400, { code: 'account_invalid' }), 'STRIPE.ACCOUNT_NOT_ENABLED'],
    [raw('invalid_request_error', 429, { code: 'rate_limit' }), 'STRIPE.RATE_LIMITED'],
    [raw('idempotency_error', 400), 'STRIPE.IDEMPOTENCY_CONFLICT'],
    [raw('invalid_request_error', 409, { code: 'idempotency_key_in_use' }), 'STRIPE.IDEMPOTENCY_CONFLICT'],
    [raw('invalid_request_error', 404, { code: 'resource_missing', param: 'id' }), 'STRIPE.NOT_FOUND'],
    [raw('invalid_request_error', 400, { code: 'parameter_unknown', param: 'foo' }), 'STRIPE.INVALID_REQUEST'],
  ])('maps %s to %s', (error, code) => {
    expect(mapStripeError(error, { mutating: true }).code).toBe(code);
  });

  it('keeps the param of an invalid request', () => {
    expect(mapStripeError(raw('invalid_request_error', 400, { code: 'parameter_missing', param: 'amount' }), { mutating: true }).info.param).toBe('amount');
  });

  it('calls a 5xx or a lost connection on a mutating call "outcome unknown", on a read "unavailable"', () => {
    const api = raw('api_error', 500);
    expect(mapStripeError(api, { mutating: true }).code).toBe('STRIPE.OUTCOME_UNKNOWN');
    expect(mapStripeError(api, { mutating: false }).code).toBe('STRIPE.UNAVAILABLE');
    const lost = new Stripe.errors.StripeConnectionError({ message: 'socket hang up', type: 'api_error' } as never);
    expect(mapStripeError(lost, { mutating: true, idempotencyKey: 'transfer:1' })).toEqual(
      expect.objectContaining({ code: 'STRIPE.OUTCOME_UNKNOWN', outcomeUnknown: true, info: expect.objectContaining({ idempotencyKey: 'transfer:1' }) }),
    );
  });

  it('retries 429, 5xx, lost connections and a key in flight, and nothing else', () => {
    expect(isRetryable(raw('invalid_request_error', 429))).toBe(true);
    expect(isRetryable(raw('api_error', 503))).toBe(true);
    expect(isRetryable(raw('invalid_request_error', 409, { code: 'idempotency_key_in_use' }))).toBe(true);
    expect(isRetryable(new Stripe.errors.StripeConnectionError({ message: 'x', type: 'api_error' } as never))).toBe(true);
    expect(isRetryable(raw('card_error', 402))).toBe(false);
    expect(isRetryable(raw('invalid_request_error', 400))).toBe(false);
    expect(isRetryable(new Error('not stripe'))).toBe(false);
  });
});

describe('definitive refusals', () => {
  it('only a refusal that will not change on retry counts as definitive', () => {
    const definitive = [raw('card_error', 402), raw('invalid_request_error', 400, { code: 'balance_insufficient' }), raw('invalid_request_error', 400, { code: 'amount_too_large' })];
    const notDefinitive = [raw('api_error', 500), raw('invalid_request_error', 409, { code: 'idempotency_key_in_use' }), raw('idempotency_error', 400), raw('invalid_request_error', 429)];
    for (const e of definitive) expect(mapStripeError(e, { mutating: true }).definitiveRefusal).toBe(true);
    for (const e of notDefinitive) expect(mapStripeError(e, { mutating: true }).definitiveRefusal).toBe(false);
  });
});
