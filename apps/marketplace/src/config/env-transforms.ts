// class-transformer @Transform helpers for environment strings. A value that does not parse is
// left as it is, so the validator rejects it and names the variable.
import { ValidateBy } from 'class-validator';
import { validateCronExpression } from 'cron';

export const envInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number.parseInt(value, 10) : value);

export const envBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  return value;
};

/** A cron expression (5 fields, or 6 with seconds) as the `cron` package reads it; `example` names one in the message. */
export const IsCronExpression = (example: string) =>
  ValidateBy({ name: 'isCron', validator: { validate: (v: unknown) => typeof v === 'string' && validateCronExpression(v).valid } }, { message: `must be a cron expression, e.g. ${example}` });
