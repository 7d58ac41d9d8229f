import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../apps/stripe-sandbox/src/index.js';
import { advance, onboardedAccount, sdk, waitUntil } from './support/stripe-sandbox-harness.js';

// holdStateWrites (SANDBOX_HOLD_STATE=until-started, what `npm start` launches): a service that
// fails to start leaves the state file as it was; once it started, changes are written as usual.
describe('stripe sandbox holding its state file until the service started', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-hold-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes nothing, not even at close, while held', async () => {
    const stateFile = path.join(dir, 'state.json');
    const sandbox = await startSandbox({ port: 0, stateFile, holdStateWrites: true });
    await onboardedAccount(sdk(sandbox));
    await advance(sandbox, 3600);
    await new Promise((r) => setTimeout(r, 400)); // past the 200 ms save delay
    await sandbox.close();
    expect(fs.existsSync(stateFile)).toBe(false);
  });

  it('writes what changed meanwhile as soon as it is released, and from then on', async () => {
    const stateFile = path.join(dir, 'state.json');
    const sandbox = await startSandbox({ port: 0, stateFile, holdStateWrites: true });
    try {
      const account = await onboardedAccount(sdk(sandbox));
      await new Promise((r) => setTimeout(r, 300));
      expect(fs.existsSync(stateFile)).toBe(false);
      sandbox.releaseStateWrites();
      await waitUntil(() => fs.existsSync(stateFile) && fs.readFileSync(stateFile, 'utf8').includes(account));
    } finally {
      await sandbox.close();
    }
  });
});
