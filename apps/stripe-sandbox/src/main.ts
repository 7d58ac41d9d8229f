import { ConfigError, configFromEnv } from './config.js';
import { type SandboxOptions, startSandbox } from './index.js';

let options: SandboxOptions;
try {
  options = configFromEnv(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`stripe-sandbox: invalid configuration: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

const sandbox = await startSandbox({ ...options, log: (line) => process.stdout.write(`${line}\n`) }).catch((err: unknown) => {
  // A state file that cannot be read, a port in use: one line, status 1.
  process.stderr.write(`stripe-sandbox: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
process.stdout.write(`stripe-sandbox listening on ${sandbox.url} (point the SDK at host/port/protocol=http)\n`);

let stopping = false;
const stop = (why: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`stripe-sandbox: ${why}, shutting down\n`);
  void sandbox.close().then(() => process.exit(0));
};
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stop(signal));
// started by the marketplace (`npm start`) with an IPC channel: leave with it, however it ended
if (process.send) {
  process.on('disconnect', () => stop('parent process exited'));
  // SANDBOX_HOLD_STATE=until-started: the state file is written once the parent says it started
  process.on('message', (message: unknown) => {
    if ((message as { type?: unknown } | null)?.type === 'marketplace-started') sandbox.releaseStateWrites();
  });
}
