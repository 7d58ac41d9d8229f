// `npm run demo` against a freshly started service: the compiled service as a real process (its own
// embedded PostgreSQL under a temp DATA_DIR, the sandbox beside it), the compiled demo driving it.
import { freePort } from '@app/database';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runNode, stopProcess, waitForReady, type RunningProcess } from './support/process.js';
import { createTestDatabase } from './support/test-database.js';

const running: RunningProcess[] = [];
let dataDir = '';

afterAll(async () => {
  // SIGTERM, so the service stops its sandbox and its embedded PostgreSQL before the folder goes
  for (const proc of running.splice(0)) await stopProcess(proc);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('passes against a freshly started service, printing each step and the seller as active', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'marketplace-demo-'));
    fs.chmodSync(dataDir, 0o755);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), SANDBOX_PORT: String(await freePort()), DATA_DIR: dataDir, HOST: '127.0.0.1', PUBLIC_URL: baseUrl, LOG_LEVEL: 'warn' };
    const service = runNode('dist/apps/marketplace/src/main.js', env);
    running.push(service);
    await waitForReady(baseUrl, 60_000);

    // no ADMIN_API_KEY: the demo runs the admin-key CLI with the same environment
    const demo = runNode('dist/apps/marketplace/src/cli/demo.js', { ...env, MARKETPLACE_URL: baseUrl });
    running.push(demo);
    const code = await demo.exited;
    const output = demo.output();
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('Demo finished: all') });
    expect(output).toMatch(/\[1\/\d+\] Check the service is up/);
    expect(output).toContain('Complete onboarding in the sandbox (test bank account 000123456789)');
    // Accounts v2 by default: a thin event from the event destination made the seller active
    expect(output).toMatch(/event evt_\w+ \(v2\.core\.account\[configuration\.recipient\]\.capability_status_updated\) processed/);
    expect(output).toMatch(/capabilities\s+card_payments not requested \(a v2 recipient\), transfers active/);
    expect(output).toMatch(/status\s+active/);
    expect(output).toMatch(/stripe account\s+acct_\w+/);
    expect(output).toContain('Pay on the hosted checkout page with the test card 4242424242424242');
    expect(output).toMatch(/order [0-9a-f-]{36}: paid, USD 90\.00, charge ch_\w+/);
    expect(output).toMatch(/paid; Stripe sends the browser to http:\/\/127\.0\.0\.1:\d+\/checkout\/success\?session_id=cs_\w+/);
    expect(output).toMatch(/\/checkout\/success\?session_id=\.\.\.: "Thank you: your payment went through\.", total USD 90\.00/);
    expect(output).toMatch(/platform fee revenue\s+USD 9\.00/);
    expect(output).toMatch(/seller's payable \(pending\)\s+USD 81\.00/);
    expect(output).toMatch(/entry charge: \d+ lines, sums to 0/);
    // a two-seller cart: one charge, a transfer to each seller with their share
    expect(output).toMatch(/order [0-9a-f-]{36}: paid, USD 75\.00, separate_transfers, held 7 days/);
    expect(output).toMatch(/seller [0-9a-f-]{36}: USD 27\.00 held until \d{4}-/);
    expect(output).toContain('the first seller marks their part fulfilled: still held (true)');
    expect(output).toMatch(/the buyer confirms receipt: .*USD 40\.50 released \(buyer\)/);
    expect(output).toMatch(/the buyer confirms receipt: .*USD 27\.00 released \(buyer\)/);
    expect(output).toMatch(/tr_\w+ to seller [0-9a-f-]{36}: USD 40\.50/);
    expect(output).toMatch(/tr_\w+ to seller [0-9a-f-]{36}: USD 27\.00/);
    expect(output).toContain('the second seller sees their own: USD 27.00, succeeded');
    // it ends with a reconciliation run: everything matched
    expect(output).toMatch(/run [0-9a-f-]{36}: \d+ Stripe balance transactions compared, \d+ matched, 0 discrepancies/);
    expect(output).toContain('everything matched');
    expect(output).not.toContain('FAILED');

    // a failure is a non-zero exit naming the step
    const broken = runNode('dist/apps/marketplace/src/cli/demo.js', { ...env, MARKETPLACE_URL: baseUrl, ADMIN_API_KEY: 'mkt_not_a_real_key' });
    running.push(broken);
    expect(await broken.exited).toBe(1);
    expect(broken.output()).toMatch(/FAILED: GET .*\/me answered 401/);
    expect(broken.output()).toContain('Demo failed at step 2.');
    expect(broken.output()).toMatch(/does not know ADMIN_API_KEY .*Set ADMIN_API_KEY to a live admin key of that service, or unset it and run the demo with the same DATABASE_URL/);

    // the demo on another database than the service's: the admin-key CLI's key is unknown there
    const elsewhere = runNode('dist/apps/marketplace/src/cli/demo.js', { ...env, MARKETPLACE_URL: baseUrl, DATABASE_URL: await createTestDatabase() });
    running.push(elsewhere);
    expect(await elsewhere.exited).toBe(1);
    expect(elsewhere.output()).toMatch(
      /FAILED: GET .*\/me answered 401: the admin-key CLI issued its key into another database than the service at http:\/\/127\.0\.0\.1:\d+ uses\. Run the demo with the same DATABASE_URL \(or DATA_DIR\) as the service, or set ADMIN_API_KEY/,
    );
    expect(elsewhere.output()).toContain('Demo failed at step 2.');
  });
});
