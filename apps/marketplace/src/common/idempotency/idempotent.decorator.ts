import { applyDecorators, createParamDecorator, SetMetadata, UseInterceptors, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';
import { IDEMPOTENCY_INTENTS, IdempotencyInterceptor } from './idempotency.interceptor.js';

export interface IdempotentOptions {
  /**
   * The table of the intent rows this route creates, bound to the key by their `principal_id` and
   * `idempotency_key` columns (unique together). A retry or a takeover then resumes that row, and
   * the key is never released once a row is bound to it.
   */
  intents?: string;
}

/** Marks a money-moving POST: it needs an Idempotency-Key (scoped to the caller, kept 24 h). */
export const Idempotent = (options: IdempotentOptions = {}) =>
  applyDecorators(
    SetMetadata(IDEMPOTENCY_INTENTS, options.intents),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
      description:
        'Unique per operation (1-255 printable ASCII characters), scoped to the caller and kept 24 h. A retry with the same key and body replays the first response (`Idempotent-Replayed: true`); the same key with another body is 422 `IDEMPOTENCY.KEY_REUSED`; while the first request is still in flight, 409 `IDEMPOTENCY.IN_FLIGHT`.',
    }),
  );

export type IdempotentRequest = Request & { idempotencyKey?: string };

/** The request's Idempotency-Key, as the interceptor checked it: for use cases that bind it to their intent row. */
export const RequestIdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const key = ctx.switchToHttp().getRequest<IdempotentRequest>().idempotencyKey;
  if (!key) throw new Error('RequestIdempotencyKey used on a route without @Idempotent()');
  return key;
});
