// The life of the process `npm start` runs: signals however they are sent, a killed owner's
// PostgreSQL, a second start that fails, PORT=0. Real processes, each test in its own DATA_DIR.
import { freePort } from '@app/database';
import fs from 'node:fs';
import path from 'node:path';
import { isListening, isRunning, pidInFile, run, runNode, stopProcess, tempDataDir, waitFor, waitForOutput, waitForReady, type RunningProcess } from './support/process.js';

const MAIN = 'dist/apps/marketplace/src/main.js';
const running: RunningProcess[] = [];
const dirs: string[] = [];
const track = (proc: RunningProcess) => {
  running.push(proc);
  return proc;
};
const dataDir = () => {
  const dir = tempDataDir('lifecycle');
  dirs.push(dir);
  return dir;
};
const postmasterPid = (dir: string) => pidInFile(path.join(dir, 'postgres', 'postmaster.pid'));

afterEach(async () => {
  // newest first: a sharer stops before the owner of the cluster
  for (const proc of running.splice(0).reverse()) await stopProcess(proc);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function envFor(dir: string, extra: Record<string, string> = {}) {
  return { PORT: String(await freePort()), SANDBOX_PORT: String(await freePort()), DATA_DIR: dir, LOG_LEVEL: 'info', ...extra };
}

describe('process life', () => {
  it('SIGTERM sent to the npm process only (`npm start`) stops the service, its sandbox and its embedded PostgreSQL', async () => {
    const dir = dataDir();
    const env = await envFor(dir);
    const npm = track(run('npm', ['start'], env));
    await waitForReady(`http://127.0.0.1:${env.PORT}`, 90_000);
    const servicePid = pidInFile(path.join(dir, 'postgres.owner'));
    const postgresPid = postmasterPid(dir);
    expect(servicePid).not.toBeNull();
    expect(postgresPid).not.toBeNull();
    expect(servicePid).not.toBe(npm.child.pid);

    process.kill(npm.child.pid as number, 'SIGTERM'); // the npm pid alone, not its process group
    await npm.exited;
    await waitFor(async () => (!isRunning(servicePid as number) && !isRunning(postgresPid as number) ? true : undefined), 20_000, 'the service and postgres to exit');
    expect(npm.output()).toContain('"msg":"stopped"');
    expect(await isListening(Number(env.PORT))).toBe(false);
    expect(await isListening(Number(env.SANDBOX_PORT))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('Ctrl-C (SIGINT to the whole process group) stops everything cleanly and quickly', async () => {
    const dir = dataDir();
    const env = await envFor(dir);
    const npm = track(run('npm', ['start'], env, { detached: true }));
    await waitForReady(`http://127.0.0.1:${env.PORT}`, 90_000);
    const servicePid = pidInFile(path.join(dir, 'postgres.owner')) as number;
    const postgresPid = postmasterPid(dir) as number;
    const began = Date.now();
    process.kill(-(npm.child.pid as number), 'SIGINT');
    await npm.exited;
    await waitFor(async () => (!isRunning(servicePid) && !isRunning(postgresPid) ? true : undefined), 20_000, 'the service and postgres to exit');
    expect(Date.now() - began).toBeLessThan(10_000);
    // 'exit' can come before the last of the pipe is read (the service writes it as it stops, npm may be gone first)
    await waitFor(async () => (npm.output().includes('"msg":"stopped"') ? true : undefined), 5_000, 'the service to say it stopped').catch(() => undefined);
    expect(npm.output()).toContain('"msg":"stopped"');
    expect(await isListening(Number(env.SANDBOX_PORT))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('SIGTERM to `npm run sandbox` (the npm process only) stops the sandbox', async () => {
    const port = await freePort();
    const npm = track(run('npm', ['run', 'sandbox'], { SANDBOX_PORT: String(port) }));
    await waitForOutput(npm, /stripe-sandbox listening on/, 60_000);
    process.kill(npm.child.pid as number, 'SIGTERM');
    await npm.exited;
    await waitFor(async () => ((await isListening(port)) ? undefined : true), 10_000, 'the sandbox to stop');
    expect(npm.output()).toContain('stripe-sandbox: SIGTERM, shutting down');
  });

  it('after a SIGKILL, the next start takes over the orphaned PostgreSQL (even when the dead owner’s pid was recycled), says so, and stops it', async () => {
    const dir = dataDir();
    const env = await envFor(dir);
    const first = track(runNode(MAIN, env));
    await waitForReady(`http://127.0.0.1:${env.PORT}`, 60_000);
    const orphan = postmasterPid(dir) as number;
    first.child.kill('SIGKILL');
    await first.exited;
    expect(isRunning(orphan)).toBe(true); // nobody will stop it
    await waitFor(async () => ((await isListening(Number(env.SANDBOX_PORT))) ? undefined : true), 10_000, 'the first sandbox to leave');
    // its pid recycled by another process (this one): the recorded start time tells them apart
    fs.writeFileSync(path.join(dir, 'postgres.owner'), `${process.pid} 1\n`);

    const second = track(runNode(MAIN, env));
    await waitForReady(`http://127.0.0.1:${env.PORT}`, 60_000);
    expect(second.output()).toMatch(/"level":"warn".*"postgresPid":\d+.*embedded PostgreSQL was left running by a process that is gone/);
    expect(postmasterPid(dir)).toBe(orphan); // the same cluster, adopted
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(isRunning(orphan)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'postgres', 'postmaster.pid'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'postgres.owner'))).toBe(false);
  });

  it('a cluster another running instance owns is shared, not taken over or stopped', async () => {
    const dir = dataDir();
    const env = await envFor(dir);
    const owner = track(runNode(MAIN, env));
    await waitForReady(`http://127.0.0.1:${env.PORT}`, 60_000);
    const postgres = postmasterPid(dir) as number;

    const sharerEnv = await envFor(dir);
    const sharer = track(runNode(MAIN, sharerEnv));
    await waitForReady(`http://127.0.0.1:${sharerEnv.PORT}`, 60_000);
    sharer.child.kill('SIGTERM');
    expect(await sharer.exited).toBe(0);
    expect(sharer.output()).not.toContain('left running by a process that is gone');
    expect(isRunning(postgres)).toBe(true);
    await waitForReady(`http://127.0.0.1:${env.PORT}`, 5_000);

    owner.child.kill('SIGTERM');
    expect(await owner.exited).toBe(0);
    expect(isRunning(postgres)).toBe(false);
  });

  it('a second start that fails (port in use) launches no sandbox and leaves the running one’s state file as it was', async () => {
    const dir = dataDir();
    const env = await envFor(dir);
    track(runNode(MAIN, env));
    await waitForReady(`http://127.0.0.1:${env.PORT}`, 60_000);
    // a change, so the sandbox writes its state
    const advanced = await fetch(`http://127.0.0.1:${env.SANDBOX_PORT}/_sandbox/clock/advance`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"seconds":3600}' });
    expect(advanced.status).toBe(200);
    const stateFile = path.join(dir, 'stripe-sandbox.json');
    await waitFor(async () => (fs.existsSync(stateFile) ? true : undefined), 5_000, 'the state file');
    await new Promise((r) => setTimeout(r, 500)); // any write in progress is done
    const before = { bytes: fs.readFileSync(stateFile), mtimeMs: fs.statSync(stateFile).mtimeMs };

    const otherSandboxPort = await freePort();
    const second = track(runNode(MAIN, { ...env, SANDBOX_PORT: String(otherSandboxPort) }));
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`PORT ${env.PORT} is already in use`);
    expect(second.output()).not.toContain('Stripe sandbox running');
    await new Promise((r) => setTimeout(r, 500));
    expect(await isListening(otherSandboxPort)).toBe(false);
    expect(fs.readFileSync(stateFile).equals(before.bytes)).toBe(true);
    expect(fs.statSync(stateFile).mtimeMs).toBe(before.mtimeMs);
    // the first one runs on, its PostgreSQL too
    await waitForReady(`http://127.0.0.1:${env.PORT}`, 5_000);
  });

  it('PORT=0 serves on the port it bound: banner, links and the sandbox webhooks use it, and the demo passes', async () => {
    const dir = dataDir();
    const env = await envFor(dir, { PORT: '0', LOG_LEVEL: 'info' });
    const service = track(runNode(MAIN, env));
    const [, port] = await waitForOutput(service, /"port":(\d+),"url":"http:\/\/localhost:\d+".*"msg":"marketplace started"/);
    expect(Number(port)).toBeGreaterThan(0);
    const baseUrl = `http://localhost:${port}`;
    await waitForOutput(service, /Marketplace API {3}http:\/\/localhost:\d+/);
    expect(service.output()).toContain(`Marketplace API   ${baseUrl}`);
    expect(service.output()).not.toContain('localhost:0');

    const demo = track(runNode('dist/apps/marketplace/src/cli/demo.js', { ...env, PORT: port as string, MARKETPLACE_URL: baseUrl }));
    const code = await demo.exited;
    expect({ code, output: demo.output() }).toEqual({ code: 0, output: expect.stringContaining('Demo finished: all') });
    expect(demo.output()).toMatch(/event evt_\w+ \(\S+\) processed/); // the sandbox delivered to the real port (a thin event, Accounts v2)
  });
});
