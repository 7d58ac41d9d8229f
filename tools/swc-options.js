// One SWC configuration for the build (tools/build.js) and for Jest (@swc/jest), so what the
// tests run is compiled exactly like what ships. SWC keeps decorator metadata (Nest's DI needs it)
// and rewrites the tsconfig path aliases into relative ESM specifiers.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const aliases = {
  '@app/money': ['libs/money/src/index.ts'],
  '@app/database': ['libs/database/src/index.ts'],
  '@app/stripe': ['libs/stripe/src/index.ts'],
};

export function swcOptions({ forJest = false } = {}) {
  return {
    sourceMaps: forJest ? 'inline' : true,
    module: { type: forJest ? 'es6' : 'nodenext', resolveFully: !forJest },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
      baseUrl: rootDir,
      paths: aliases,
    },
  };
}
