// npm run sim -- --seeds N [--seed S] [--steps K] [--break transfer-idempotency]
// Starts its own embedded PostgreSQL (a temp dir, migrated once into a template; each seed clones
// it), then runs each seed against a fresh sandbox and app. A failing seed prints the one command
// that replays it. Exit code 1 when any seed failed.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runSeed } from './simulation.js';

// Jest's own PostgreSQL setup (plain JS beside the sources, not compiled): from dist/test/sim/ up to the repository
const root = fileURLToPath(new URL('../../../', import.meta.url));
const { default: globalSetup } = await import(`${root}test/support/global-setup.js`);
const { default: globalTeardown } = await import(`${root}test/support/global-teardown.js`);

const { values } = parseArgs({
  options: { seeds: { type: 'string' }, seed: { type: 'string' }, steps: { type: 'string', default: '12' }, break: { type: 'string' } },
  strict: true,
});

function whole(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number (got ${text})`);
    process.exit(2);
  }
  return n;
}

const steps = whole('steps', values.steps, 12);
const first = whole('seed', values.seed, 1);
const count = whole('seeds', values.seeds, values.seed === undefined ? 10 : 1);
if (values.break !== undefined && values.break !== 'transfer-idempotency') {
  console.error('--break takes one safeguard: transfer-idempotency');
  process.exit(2);
}
const breakTransferIdempotency = values.break === 'transfer-idempotency';

await globalSetup();
let failed = 0;
try {
  for (let seed = first; seed < first + count; seed++) {
    const started = Date.now();
    const outcome = await runSeed({ seed, steps, breakTransferIdempotency });
    if (outcome.ok) {
      console.log(`seed ${seed}: ok (${Date.now() - started} ms)`);
      continue;
    }
    failed++;
    console.log(`seed ${seed}: FAILED\n  what it did:\n    ${outcome.actions.join('\n    ')}\n  what broke:\n    ${outcome.failures.join('\n    ')}\n  replay: ${outcome.command}`);
  }
} finally {
  await globalTeardown();
}
console.log(failed ? `${failed} of ${count} seed(s) failed` : `${count} seed(s) held every invariant`);
process.exit(failed ? 1 : 0);
