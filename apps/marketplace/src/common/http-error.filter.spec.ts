import { BadRequestException, type ArgumentsHost } from '@nestjs/common';
import { Writable } from 'node:stream';
import { DomainError } from './domain-error.js';
import { HttpErrorFilter } from './http-error.filter.js';
import { createRootLogger } from './logger.js';
import { requestContext } from './request-context.js';

function run(exception: unknown) {
  const logged: string[] = [];
  const logger = createRootLogger(
    'error',
    new Writable({
      write: (c: Buffer, _e, cb) => {
        logged.push(c.toString());
        cb();
      },
    }),
  );
  const sent: { status?: number; body?: unknown; headers: Record<string, string> } = { headers: {} };
  const res = {
    headersSent: false,
    getHeader: () => undefined,
    setHeader(name: string, value: string) {
      sent.headers[name.toLowerCase()] = value;
    },
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({ method: 'GET', path: '/x' }) }) } as unknown as ArgumentsHost;
  requestContext.run({ requestId: 'rid-1' }, () => new HttpErrorFilter(logger).catch(exception, host));
  return { ...sent, logged: logged.join('') };
}

describe('HttpErrorFilter', () => {
  it('maps a domain error to its status with code, message and details', () => {
    const out = run(new DomainError('PAYOUTS.ALREADY_APPROVED', 'already approved', 'conflict', { payoutId: 'p1' }));
    expect(out.status).toBe(409);
    expect(out.body).toEqual({ error: { code: 'PAYOUTS.ALREADY_APPROVED', message: 'already approved', details: { payoutId: 'p1' }, requestId: 'rid-1' } });
  });

  it('answers an unexpected error with a 500 that reveals nothing, and logs it', () => {
    const boom = new Error('connection to postgres://admin:hunter2@db failed');
    const out = run(boom);
    expect(out.status).toBe(500);
    const text = JSON.stringify(out.body);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('at ');
    expect(out.body).toEqual({ error: { code: 'INTERNAL', message: expect.any(String), requestId: 'rid-1' } });
    expect(out.logged).toContain('request failed');
  });

  it('keeps the status of Nest HTTP exceptions', () => {
    const out = run(new BadRequestException('Validation failed (uuid is expected)'));
    expect(out.status).toBe(400);
    expect(out.body).toEqual({ error: { code: 'BAD_REQUEST', message: 'Validation failed (uuid is expected)', requestId: 'rid-1' } });
  });

  it("answers the pool's connect timeout with 503 SERVICE.BUSY and Retry-After, not logged as a failure", () => {
    const out = run(new Error('timeout exceeded when trying to connect'));
    expect(out.status).toBe(503);
    expect(out.headers['retry-after']).toBe('1');
    expect(out.body).toEqual({ error: { code: 'SERVICE.BUSY', message: expect.stringContaining('busy'), requestId: 'rid-1' } });
    expect(out.logged).not.toContain('request failed');
  });
});
