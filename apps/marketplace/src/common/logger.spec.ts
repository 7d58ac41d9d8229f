import { Writable } from 'node:stream';
import { createRootLogger } from './logger.js';
import { requestContext } from './request-context.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { stream, lines };
}

describe('logger', () => {
  it('writes JSON lines carrying the current request id', () => {
    const { stream, lines } = capture();
    const logger = createRootLogger('info', stream);
    requestContext.run({ requestId: 'req-42' }, () => logger.info('hello'));
    expect(JSON.parse(lines[0]!)).toEqual(expect.objectContaining({ level: 'info', msg: 'hello', requestId: 'req-42' }));
  });

  it('never writes API keys, Stripe signatures, secrets or card data', () => {
    const { stream, lines } = capture();
    const logger = createRootLogger('info', stream);
    logger.info(
      {
        req: { headers: { authorization: 'Bearer mkt_supersecretvalue', 'stripe-signature': 't=1,v1=abcdef' } },
        stripe: { secret: 'sk_test_123', apiKey: 'sk_live_456' },
        payment: { card: { number: '4242424242424242', cvc: '123' } },
      },
      'request',
    );
    const line = lines.join('');
    for (const secret of ['mkt_supersecretvalue', 't=1,v1=abcdef', 'sk_test_123', 'sk_live_456', '4242424242424242']) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
  });
});
