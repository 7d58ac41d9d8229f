import { HttpException, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { catchError, from, mergeMap, of, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../../identity/auth.decorators.js';
import { DomainError } from '../domain-error.js';
import { IdempotencyService, requestHash } from './idempotency.service.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Our API's idempotency (ARCHITECTURE, layer 1). Same key + same request replays the stored
 * response; same key + another request is 422; a request still in flight is 409. Only successful
 * responses are stored: after a refusal the caller may fix things and retry with the same key.
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

    const hash = requestHash(req.method, req.originalUrl, req.body);
    const outcome = await this.keys.begin(principal.id, key, hash);
    res.setHeader('Idempotency-Key', key);
    switch (outcome.kind) {
      case 'mismatch':
        throw new DomainError('IDEMPOTENCY.KEY_REUSED', 'This Idempotency-Key was used with a different request', 'unprocessable');
      case 'in_flight':
        throw new DomainError('IDEMPOTENCY.IN_FLIGHT', 'A request with this Idempotency-Key is still being processed; retry shortly', 'conflict');
      case 'replay':
        res.setHeader('Idempotent-Replayed', 'true');
        if (outcome.status >= 400) throw new HttpException(outcome.body as object, outcome.status);
        return of(outcome.body);
      case 'proceed':
        break;
    }
    const status = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? (req.method === 'POST' ? 201 : 200);
    return next.handle().pipe(
      mergeMap((body: unknown) => from(this.keys.complete(principal.id, key, status, body).then(() => body))),
      catchError((error: unknown) =>
        from(
          this.keys.release(principal.id, key).then(() => {
            throw error;
          }),
        ),
      ),
    );
  }
}
