import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isPoolTimeout } from '@app/database';
import type { Logger } from 'pino';
import { DomainError, STATUS_OF_KIND } from './domain-error.js';
import type { ErrorResponse } from './error-response.js';
import { requestContext } from './request-context.js';
import { ServiceBusyError } from './service-busy.js';

const CODE_OF_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
};

/** The body this filter answers; its class is the error schema of the OpenAPI document. */
export type ErrorBody = ErrorResponse;

/**
 * The one error body of the API: { error: { code, message, details?, requestId } }. A 5xx says
 * nothing about internals; the full error goes to the log under the same request id.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(caught: unknown, host: ArgumentsHost): void {
    // the pool had no connection for this request in time (e.g. the guard's key lookup): 503, not 500
    const exception = isPoolTimeout(caught) ? new ServiceBusyError() : caught;
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    const requestId = requestContext.get()?.requestId ?? String(res.getHeader('x-request-id') ?? '');
    const { status, code, message, details } = this.describe(exception);
    if (exception instanceof ServiceBusyError) {
      this.logger.warn({ method: req.method, path: req.path }, 'request refused: no database connection in time');
    } else if (status >= 500) {
      // a provider's or transport's text stays here, in the log under the request id, never in the body
      const cause = exception instanceof Error && exception.cause instanceof Error ? { name: exception.cause.name, message: exception.cause.message } : undefined;
      this.logger.error({ err: exception, ...(cause ? { cause } : {}), method: req.method, path: req.path }, 'request failed');
    }
    if (res.headersSent) return;
    const retryAfter = (exception as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
    if (exception instanceof DomainError && typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    const body: ErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }), requestId } };
    res.status(status).json(body);
  }

  private describe(exception: unknown): { status: number; code: string; message: string; details?: unknown } {
    if (exception instanceof DomainError) {
      return { status: STATUS_OF_KIND[exception.kind], code: exception.code, message: exception.message, details: exception.details };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (status >= 500) return internal();
      const fromBody = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
      const code = typeof fromBody.code === 'string' ? fromBody.code : (CODE_OF_STATUS[status] ?? `HTTP_${status}`);
      const message = typeof fromBody.message === 'string' ? fromBody.message : exception.message;
      return { status, code, message, details: fromBody.details };
    }
    // body-parser errors (malformed JSON, too large) carry a status and are the client's fault
    if (isClientHttpError(exception)) {
      const status = exception.status;
      const code = exception.type === 'entity.parse.failed' ? 'MALFORMED_JSON' : (CODE_OF_STATUS[status] ?? `HTTP_${status}`);
      return { status, code, message: exception.expose ? exception.message : 'The request could not be read' };
    }
    return internal();
  }
}

function internal() {
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL', message: 'An internal error occurred; it has been logged under this request id' };
}

function isClientHttpError(e: unknown): e is { status: number; type?: string; message: string; expose?: boolean } {
  if (typeof e !== 'object' || e === null) return false;
  const status = (e as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
