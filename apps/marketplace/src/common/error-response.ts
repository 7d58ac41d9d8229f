import { ApiExtension, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailResponse {
  @ApiProperty({ example: 'NOT_FOUND', description: 'Machine-readable, stable: branch on this, not on the message' }) code: string;
  @ApiProperty({ description: 'For people; may change' }) message: string;
  @ApiPropertyOptional({
    oneOf: [
      { type: 'object', additionalProperties: true },
      { type: 'array', items: {} },
    ],
    description: 'Structured context of some codes: an object, or the list of fields that failed validation ({ field, problems, code? })',
  })
  details?: unknown;
  @ApiProperty({ description: 'The X-Request-Id of the request: the log has the rest under it' }) requestId: string;
}

/** The one error body of the API (HttpErrorFilter answers it, and the webhook receiver). */
export class ErrorResponse {
  @ApiProperty({ type: ErrorDetailResponse }) error: ErrorDetailResponse;
}

/** The extension the document builder turns into the route's error responses (see docs/openapi.document.ts). */
export const ERROR_CODES_EXTENSION = 'x-error-codes';

/**
 * The errors a route's own use case can answer, by status, with their codes. Errors every route
 * of a kind can give (auth, validation, idempotency, 5xx) are added by the document builder.
 */
export const ApiErrors = (codes: Record<number, readonly string[]>) => ApiExtension(ERROR_CODES_EXTENSION, codes);
