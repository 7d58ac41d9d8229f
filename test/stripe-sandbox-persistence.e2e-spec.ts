import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../apps/stripe-sandbox/src/index.js';
import { ROOT } from './support/process.js';
import { advance, destinationCharge, onboardedAccount, sdk, stripeError, usd, waitUntil } from './support/stripe-sandbox-harness.js';

// SANDBOX_STATE_FILE / `stateFile`: a restarted sandbox still has everything.
describe('stripe sandbox state file', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-state-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps accounts, balances, charges, transfers, events, idempotency keys and the clock across a restart', async () => {
    const stateFile = path.join(dir, 'nested', 'state.json');
    const first = await startSandbox({ port: 0, stateFile });
    const stripe = sdk(first);
    const account = await onboardedAccount(stripe);
    const charge = await destinationCharge(stripe, account, { amount: 10_000, fee: 1000 });
    await stripe.paymentIntents.create({ amount: 50_000, currency: 'usd', payment_method: 'pm_card_bypassPending', confirm: true });
    const transfer = await stripe.transfers.create({ amount: 2500, currency: 'usd', destination: account }, { idempotencyKey: 'persisted-key' });
    await advance(first, 3600);
    const clockBefore = first.control.now();
    const platformBalance = await stripe.balance.retrieve();
    const accountBalance = await stripe.balance.retrieve({}, { stripeAccount: account });
    const platformEvents = await stripe.events.list({ limit: 100 });
    const accountEvents = await stripe.events.list({ limit: 100 }, { stripeAccount: account });
    expect(platformEvents.data.length).toBeGreaterThan(5);
    expect(accountEvents.data.length).toBeGreaterThan(0);
    // Written shortly after a change even without a clean shutdown.
    await waitUntil(() => fs.existsSync(stateFile) && JSON.parse(fs.readFileSync(stateFile, 'utf8')).tables.transfers.length === 2);
    await first.close();

    const second = await startSandbox({ port: 0, stateFile });
    try {
      const again = sdk(second);
      expect(second.control.now()).toBe(clockBefore);
      const restored = await again.accounts.retrieve(account);
      expect(restored.charges_enabled).toBe(true);
      expect(restored.external_accounts?.data).toHaveLength(1);
      expect((await again.charges.retrieve(charge.id)).amount).toBe(10_000);
      expect((await again.transfers.retrieve(transfer.id)).amount).toBe(2500);
      expect(await again.balance.retrieve()).toEqual(platformBalance);
      expect(await again.balance.retrieve({}, { stripeAccount: account })).toEqual(accountBalance);
      expect((await again.events.list({ limit: 100 })).data.map((e) => e.id)).toEqual(platformEvents.data.map((e) => e.id));
      expect((await again.events.list({ limit: 100 }, { stripeAccount: account })).data.map((e) => e.id)).toEqual(accountEvents.data.map((e) => e.id));

      // The idempotency key replays the first transfer and still refuses other parameters.
      const replay = await again.transfers.create({ amount: 2500, currency: 'usd', destination: account }, { idempotencyKey: 'persisted-key' });
      expect(replay.id).toBe(transfer.id);
      expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
      const mismatch = await stripeError(again.transfers.create({ amount: 2600, currency: 'usd', destination: account }, { idempotencyKey: 'persisted-key' }));
      expect(mismatch.type).toBe('StripeIdempotencyError');
      expect((await again.transfers.list({ destination: account })).data).toHaveLength(2);

      // New ids do not collide with restored ones and time moves on from where it was.
      const later = await again.transfers.create({ amount: 100, currency: 'usd', destination: account });
      expect([charge.id, transfer.id]).not.toContain(later.id);
      await advance(second, 3 * 86_400);
      expect(usd(await again.balance.retrieve({}, { stripeAccount: account }), 'pending')).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('refuses a state file it cannot read, naming the file', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{ not json');
    await expect(startSandbox({ port: 0, stateFile: bad })).rejects.toThrow(bad);
  });

  // docker-compose: a named volume that comes up owned by root while the sandbox runs as `node`.
  it('exits at start, naming SANDBOX_STATE_FILE, when the state file is in a directory it cannot write', async () => {
    const readOnly = path.join(dir, 'read-only');
    fs.mkdirSync(readOnly);
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(readOnly, 0o555);
    // root writes anywhere: run the sandbox as nobody, as the image runs it as node
    const asRoot = process.getuid?.() === 0;
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/apps/stripe-sandbox/src/main.js')], {
      env: { PATH: process.env.PATH ?? '', SANDBOX_PORT: '0', SANDBOX_STATE_FILE: path.join(readOnly, 'state.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, output }).toEqual({ code: 1, output: expect.stringContaining('SANDBOX_STATE_FILE') });
    expect(output).toMatch(/cannot start: the state file .*read-only\/state\.json \(SANDBOX_STATE_FILE\) cannot be written: EACCES/);
    expect(output).not.toContain('listening');
    expect(output).not.toMatch(/\n\s+at /); // one line, no stack trace
  });

  it('refuses in process too: startSandbox rejects when the state file cannot be written', async () => {
    const notADir = path.join(dir, 'plain-file');
    fs.writeFileSync(notADir, 'x');
    await expect(startSandbox({ port: 0, stateFile: path.join(notADir, 'state.json') })).rejects.toThrow(/SANDBOX_STATE_FILE\) cannot be written/);
  });

  it('logs a write that fails later and keeps serving, instead of crashing', async () => {
    const stateDir = path.join(dir, 'goes-away');
    const lines: string[] = [];
    const sandbox = await startSandbox({ port: 0, stateFile: path.join(stateDir, 'state.json'), log: (line) => lines.push(line) });
    try {
      // the directory is replaced by a file: every later write fails (ENOTDIR), whoever we run as
      fs.rmSync(stateDir, { recursive: true, force: true });
      fs.writeFileSync(stateDir, 'not a directory');
      const stripe = sdk(sandbox);
      await stripe.accounts.create({ type: 'express', country: 'US' });
      await waitUntil(() => lines.some((l) => l.includes('cannot write the state file')));
      expect(lines.find((l) => l.includes('cannot write the state file'))).toMatch(/\(SANDBOX_STATE_FILE\): .*; the state is kept in memory only/);
      expect((await stripe.accounts.list()).data).toHaveLength(1);
    } finally {
      await sandbox.close();
    }
  });
});
