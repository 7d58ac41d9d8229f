import { isPoolTimeout } from '@app/database';
import { HttpException, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { catchError, from, mergeMap, of, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../../identity/auth.decorators.js';
import { DomainError, STATUS_OF_KIND, type ErrorKind } from '../domain-error.js';
import { BUSY_MESSAGE, ServiceBusyError } from '../service-busy.js';
import { IdempotencyService, requestHash } from './idempotency.service.js';
import type { IdempotentRequest } from './idempotent.decorator.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** Metadata set by `@Idempotent({ intents })`: the table whose rows the route binds to its keys. */
export const IDEMPOTENCY_INTENTS = 'idempotency:intents';

/**
 * Our API's idempotency (ARCHITECTURE, layer 1). Same key + same request replays the stored
 * response; same key + another request is 422; a request still in flight is 409. Successes and
 * server-side failures (5xx: something may have happened, e.g. a refund left pending for the
 * worker) are stored and replayed; a refusal (4xx: nothing happened) releases the key so the
 * caller can fix things and retry with it, unless an intent row is bound to the key (then
 * something did happen, and the refusal is stored like any other answer).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly keys: IdempotencyService,
    private readonly reflector: Reflector,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const principal = req.principal;
    if (!principal) throw new Error('@Idempotent() needs an authenticated route');
    const key = req.header('idempotency-key');
    if (!key) throw new DomainError('IDEMPOTENCY.KEY_REQUIRED', 'This request moves money: send an Idempotency-Key header (any unique string up to 255 characters)', 'invalid');
    if (!KEY_PATTERN.test(key)) throw new DomainError('IDEMPOTENCY.KEY_MALFORMED', 'Idempotency-Key must be 1-255 printable ASCII characters', 'invalid');

    const intents = this.reflector.get<string | undefined>(IDEMPOTENCY_INTENTS, context.getHandler());
    const hash = requestHash(req.method, req.originalUrl, req.body);
    const outcome = await this.keys.begin(principal.id, key, hash, intents);
    res.setHeader('Idempotency-Key', key);
    switch (outcome.kind) {
      case 'mismatch':
        throw new DomainError('IDEMPOTENCY.KEY_REUSED', 'This Idempotency-Key was used with a different request', 'unprocessable');
      case 'in_flight':
        throw new DomainError('IDEMPOTENCY.IN_FLIGHT', 'A request with this Idempotency-Key is still being processed; retry shortly', 'conflict');
      case 'replay':
        res.setHeader('Idempotent-Replayed', 'true');
        if (outcome.status >= 400) throw replayedFailure(outcome.status, outcome.body as { code?: string; message?: string; details?: unknown });
        return of(outcome.body);
      case 'proceed':
        break;
    }
    const status = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? (req.method === 'POST' ? 201 : 200);
    const claim = outcome.claim;
    (req as IdempotentRequest).idempotencyKey = key;
    return next.handle().pipe(
      mergeMap((body: unknown) => from(this.keys.complete(principal.id, key, claim, status, body).then(() => body))),
      catchError((error: unknown) => {
        const failure = describeFailure(error);
        const settle = this.settleFailure(principal.id, key, claim, intents, failure);
        return from(
          settle.then(() => {
            throw error;
          }),
        );
      }),
    );
  }

  private async settleFailure(principalId: string, key: string, claim: string, intents: string | undefined, failure: ReturnType<typeof describeFailure>): Promise<void> {
    // the use case found its intent being worked on by another request (e.g. Stripe still has the
    // key in flight): leave the claim in flight, the next retry resumes the intent
    if (intents && failure.code === 'IDEMPOTENCY.IN_FLIGHT') return;
    // no connection came free for the request's first write: nothing was written, and asking the
    // database whether an intent is bound would wait for the same pool. Releasing is safe: an intent
    // an earlier request made stays bound to the key on its own row, and the next retry resumes it.
    if (failure.code === 'SERVICE.BUSY' && failure.refusal) return this.keys.release(principalId, key, claim);
    if (failure.refusal && !(intents && (await this.keys.hasIntent(intents, principalId, key)))) return this.keys.release(principalId, key, claim);
    return this.keys.complete(principalId, key, claim, failure.status, { code: failure.code, message: failure.message, details: failure.details });
  }
}

/** A 4xx refusal (nothing happened) or a server-side failure (something may have). */
function describeFailure(error: unknown): { refusal: boolean; status: number; code: string; message: string; details?: unknown } {
  // no database connection in time before anything was written: a 503 refusal, the key is released
  if (error instanceof ServiceBusyError) return { refusal: true, status: 503, code: error.code, message: error.message };
  // any other pool timeout (something may have been written): stored like a 5xx, as the 503 the caller saw
  if (isPoolTimeout(error)) return { refusal: false, status: 503, code: 'SERVICE.BUSY', message: BUSY_MESSAGE };
  if (error instanceof DomainError) {
    const status = STATUS_OF_KIND[error.kind];
    return { refusal: status < 500, status, code: error.code, message: error.message, details: error.details };
  }
  if (error instanceof HttpException && error.getStatus() < 500) return { refusal: true, status: error.getStatus(), code: 'HTTP', message: error.message };
  return { refusal: false, status: 500, code: 'INTERNAL', message: 'An internal error occurred; it has been logged under this request id' };
}

/** The stored failure again, as the same status and code. */
function replayedFailure(status: number, body: { code?: string; message?: string; details?: unknown }): Error {
  const kind = (Object.entries(STATUS_OF_KIND) as Array<[ErrorKind, number]>).find(([, s]) => s === status)?.[0];
  if (kind && body.code) return new DomainError(body.code, body.message ?? body.code, kind, body.details ?? undefined);
  return new Error(`replayed failure ${status}`); // rendered as 500 INTERNAL, as the first time
}
