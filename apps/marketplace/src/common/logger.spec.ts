import { Writable } from 'node:stream';
import { createRootLogger, formatPretty, PinoNestLogger } from './logger.js';
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

  it('LOG_FORMAT=pretty: one readable line, fields after the message, the error stack below', () => {
    const { stream, lines } = capture();
    const logger = createRootLogger('info', stream, 'pretty');
    logger.child({ component: 'postgres' }).warn({ postgresPid: 42, dataDir: '/tmp/a b' }, 'taken over');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[postgres\] taken over postgresPid=42 dataDir="\/tmp\/a b"\n$/);
    logger.error({ err: new Error('boom') }, 'failed');
    expect(lines[1]).toMatch(/ERROR failed\n {4}Error: boom\n +at /);
  });

  it('pretty output keeps the redaction', () => {
    const { stream, lines } = capture();
    createRootLogger('info', stream, 'pretty').info({ stripe: { secret: 'sk_test_123' } }, 'x');
    expect(lines.join('')).not.toContain('sk_test_123');
    expect(formatPretty({ level: 'info', msg: 'plain' })).toBe('INFO  plain');
  });

  it("puts Nest's per-module and per-route boot lines at debug; its warnings stay warnings", () => {
    const { stream, lines } = capture();
    const nest = new PinoNestLogger(createRootLogger('info', stream));
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('Mapped {/health, GET} route', 'RouterExplorer');
    nest.log('HealthController {/health}:', 'RoutesResolver');
    nest.log('something of ours', 'Payouts');
    nest.warn('careful', 'RouterExplorer');
    expect(lines.map((l) => JSON.parse(l) as { level: string; msg: string }).map((l) => `${l.level} ${l.msg}`)).toEqual(['info something of ours', 'warn careful']);
  });
});
