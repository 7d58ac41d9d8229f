import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Builds one typed config class from the environment. Each property is named after its variable,
 * so a failing constraint names the variable the operator has to fix.
 */
export function validateEnv<T extends object>(cls: ClassConstructor<T>, env: NodeJS.ProcessEnv): T {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') raw[k] = v;
  const instance = plainToInstance(cls, raw, { exposeDefaultValues: true, excludeExtraneousValues: true });
  const errors = validateSync(instance, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((e) => {
        const set = typeof raw[e.property] === 'string';
        // a secret's value is never shown: the message is logged
        const shown = !set ? ' (not set)' : SECRET_NAME.test(e.property) ? ' (value not shown)' : ` (got "${raw[e.property]}")`;
        return `${e.property}${shown}: ${messagesOf(e.constraints ?? {}).join('; ')}`;
      }),
    );
  }
  return instance;
}

/** What validateEnv would refuse in `env`, as the boot prints it (empty when it is valid). */
export function configProblems<T extends object>(cls: ClassConstructor<T>, env: NodeJS.ProcessEnv): string[] {
  try {
    validateEnv(cls, env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

/** Variables holding secrets (STRIPE_SECRET_KEY, STRIPE_RECONCILIATION_KEY, the signing secrets): their values never appear in a message. */
const SECRET_NAME = /SECRET|PASSWORD|TOKEN|_KEY$/;

// A value of the wrong type also fails every range check ("not less than 0", "not greater than
// 65535"); those say nothing about "abc", so only the type's message is shown.
const TYPE_CONSTRAINTS = ['isInt', 'isNumber', 'isBoolean'];

function messagesOf(constraints: Record<string, string>): string[] {
  const type = TYPE_CONSTRAINTS.find((name) => constraints[name]);
  return [...new Set(type ? [constraints[type] as string] : Object.values(constraints))];
}
