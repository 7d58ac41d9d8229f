import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError } from './domain-error.js';

interface FieldProblem {
  field: string;
  problems: string[];
}

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** whitelist + forbidNonWhitelisted + transform; failures become VALIDATION_FAILED with per-field details. */
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
      return new DomainError('VALIDATION_FAILED', details.map((d) => `${d.field}: ${d.problems.join(', ')}`).join('; '), 'invalid', details);
    },
  });
}
