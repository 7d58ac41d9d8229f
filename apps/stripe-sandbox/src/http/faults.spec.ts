import { SandboxRandom } from '../core/random.js';
import { FaultInjector, type FaultRequest } from './faults.js';

const request = (params: Record<string, string>, account?: string): FaultRequest => ({ param: (name) => params[name], account });

/** Which of `n` requests a fraction rule hits, as a string of 0s and 1s. */
function fractionHits(seed: number, n = 40): string {
  const faults = new FaultInjector(new SandboxRandom(seed));
  faults.add({ path: '/v1/transfers', kind: 'error_500', fraction: 0.5 });
  return Array.from({ length: n }, () => (faults.take('POST', '/v1/transfers').length ? '1' : '0')).join('');
}

describe('FaultInjector', () => {
  it('fires a fraction rule on the same requests from the same seed, on others from another seed', () => {
    const hits = fractionHits(5);
    expect(fractionHits(5)).toBe(hits);
    expect(fractionHits(6)).not.toBe(hits);
    expect(hits).toMatch(/1/);
    expect(hits).toMatch(/0/);
  });

  it('a rule aimed at parameters fires only on the requests that carry them, up to its count', () => {
    const faults = new FaultInjector();
    faults.add({ method: 'POST', path: '/v1/transfers', kind: 'lose_response', count: 2, params: { 'metadata[order_id]': 'ord_b' } });
    const ours = request({ 'metadata[order_id]': 'ord_b' });
    expect(faults.take('POST', '/v1/transfers', request({ 'metadata[order_id]': 'ord_a' }))).toEqual([]);
    expect(faults.take('POST', '/v1/transfers', request({}))).toEqual([]);
    expect(faults.take('POST', '/v1/transfers')).toEqual([]);
    expect(faults.take('POST', '/v1/refunds', ours)).toEqual([]);
    expect(faults.take('POST', '/v1/transfers', ours).map((f) => f.kind)).toEqual(['lose_response']);
    expect(faults.take('POST', '/v1/transfers', ours).map((f) => f.kind)).toEqual(['lose_response']);
    expect(faults.take('POST', '/v1/transfers', ours)).toEqual([]);
    expect(faults.list()).toEqual([]);
    expect(faults.fired).toEqual([
      expect.objectContaining({ kind: 'lose_response', method: 'POST', path: '/v1/transfers' }),
      expect.objectContaining({ kind: 'lose_response', method: 'POST', path: '/v1/transfers' }),
    ]);
  });

  it('a rule aimed at an account fires only on requests made on it; every listed parameter must match', () => {
    const faults = new FaultInjector();
    faults.add({ method: 'GET', path: '/v1/balance', kind: 'error_500', account: 'acct_1' });
    faults.add({ method: 'POST', path: '/**', kind: 'rate_limit', params: { 'metadata[order_id]': 'o1', 'metadata[seller_id]': 's1' } });
    expect(faults.take('GET', '/v1/balance', request({}))).toEqual([]);
    expect(faults.take('GET', '/v1/balance', request({}, 'acct_2'))).toEqual([]);
    expect(faults.take('GET', '/v1/balance', request({}, 'acct_1')).map((f) => f.kind)).toEqual(['error_500']);
    expect(faults.take('POST', '/v1/transfers', request({ 'metadata[order_id]': 'o1' }))).toEqual([]);
    expect(faults.take('POST', '/v1/transfers', request({ 'metadata[order_id]': 'o1', 'metadata[seller_id]': 's1' })).map((f) => f.kind)).toEqual(['rate_limit']);
  });
});
