// `npm start` / `npm run sandbox`: builds, then runs the service in this same process, so the
// signal npm forwards (SIGTERM, SIGINT) reaches the service itself and it stops what it started
// (the sandbox, the embedded PostgreSQL). `node a && node b` would put a shell in between that
// dies of the signal and leaves the service running. The script line starts with `exec` for the
// same reason: npm's shell is replaced by this process.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { rootDir } from './swc-options.js';

const ENTRIES = {
  marketplace: 'dist/apps/marketplace/src/main.js',
  sandbox: 'dist/apps/stripe-sandbox/src/main.js',
};

const name = process.argv[2] ?? 'marketplace';
const entry = ENTRIES[name];
if (!entry) {
  console.error(`tools/start.js: unknown entry "${name}" (one of ${Object.keys(ENTRIES).join(', ')})`);
  process.exit(2);
}
await import('./build.js');
await import(pathToFileURL(path.join(rootDir, entry)).href);
