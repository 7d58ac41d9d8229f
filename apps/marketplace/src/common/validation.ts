import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError } from './domain-error.js';

interface FieldProblem {
  field: string;
  problems: string[];
  /** A machine-readable code, where the field's check names one (e.g. PAGINATION.INVALID_LIMIT). */
  code?: string;
}

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const code = Object.values(e.contexts ?? {}).find((c): c is { code: string } => typeof (c as { code?: unknown })?.code === 'string')?.code;
    const own = e.constraints ? [{ field, problems: [...new Set(Object.values(e.constraints))], ...(code ? { code } : {}) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * whitelist + forbidNonWhitelisted + transform; failures become VALIDATION_FAILED with per-field
 * details, or the field's own code when that one field with a code is all that failed.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      const unknown = details.filter((d) => d.problems.some((p) => p.endsWith('should not exist')));
      if (unknown.length === details.length && unknown.length > 0) {
        return new DomainError('UNKNOWN_FIELD', `Unknown field(s): ${unknown.map((d) => d.field).join(', ')}`, 'invalid', details);
      }
      const message = details.map((d) => d.problems.join(', ')).join('; ');
      const only = details.length === 1 ? details[0]!.code : undefined;
      if (only) return new DomainError(only, message, 'invalid', details);
      return new DomainError('VALIDATION_FAILED', details.map((d) => `${d.field}: ${d.problems.join(', ')}`).join('; '), 'invalid', details);
    },
  });
}
