// npm run test:compose: docker-compose.yml's process layout without Docker. Builds the image's steps
// by hand (the Dockerfile's: `npm ci`, the source copied in, `npm run build`, `npm prune --omit=dev`,
// then only package.json, node_modules and dist kept), starts a PostgreSQL with the compose
// service's user and database, then the sandbox, the api and the worker as separate processes from
// the pruned tree with the environment docker-compose.yml gives them (read from it, so the two
// cannot drift; service hostnames become 127.0.0.1 and every port a free one), waits for each
// health check the compose file or the image names, issues an admin key with the api's environment
// (`docker compose exec marketplace-api node dist/apps/marketplace/src/cli/admin-key.js`), runs the
// demo as the host would (the published ports and that key only), and stops everything. Exit
// status 0 when the demo passes.
//
//   node tools/compose-layout.js [--keep]   (--keep leaves the temp dir for a look afterwards)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const started = Date.now();
const say = (line) => console.log(`[compose-layout ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-layout-'));
// embedded PostgreSQL runs as a `postgres` system user when we are root: it must reach its folder
fs.chmodSync(tmp, 0o755);
const buildDir = path.join(tmp, 'build'); // the Dockerfile's build stage, WORKDIR /app
const imageDir = path.join(tmp, 'image'); // the final stage, WORKDIR /app
const volumesDir = path.join(tmp, 'volumes');
const running = [];
let database = null;

try {
  await main();
  say(`passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (error) {
  console.error(`\ncompose-layout FAILED: ${error instanceof Error ? error.message : String(error)}`);
  for (const proc of running) console.error(`\n--- ${proc.name} output (last 4000 characters) ---\n${proc.output().slice(-4000)}`);
  process.exitCode = 1;
} finally {
  for (const proc of running.reverse()) await stop(proc);
  await database?.stop();
  if (keep) say(`kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}

async function main() {
  const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  buildImage(dockerfile);

  const services = compose.services;
  const ports = { postgres: await freePort(), 'stripe-sandbox': await freePort(), 'marketplace-api': await freePort() };
  const containerPort = {
    postgres: 5432,
    'stripe-sandbox': Number(services['stripe-sandbox'].environment.SANDBOX_PORT),
    'marketplace-api': Number(services['marketplace-api'].environment.PORT ?? 3000),
  };
  // every address a container or the host uses for a service -> where it listens here
  const rewrites = Object.entries(containerPort).flatMap(([name, port]) => {
    const published = (services[name].ports ?? []).map((p) => String(p).split(':')[0]);
    return [[`${name}:${port}`, `127.0.0.1:${ports[name]}`], ...published.map((host) => [`localhost:${host}`, `127.0.0.1:${ports[name]}`])];
  });
  const envOf = (name) => {
    const env = {};
    for (let [key, value] of Object.entries(services[name].environment ?? {})) {
      value = String(value);
      for (const [from, to] of rewrites) value = value.split(from).join(to);
      if (value === '0.0.0.0') value = '127.0.0.1';
      // a named volume's mount point -> a folder of ours
      for (const mount of services[name].volumes ?? []) {
        const [volume, target] = String(mount).split(':');
        if (compose.volumes && volume in compose.volumes && value.startsWith(`${target}/`)) value = path.join(volumesDir, volume, value.slice(target.length + 1));
      }
      env[key] = value;
    }
    if (name === 'stripe-sandbox') env.SANDBOX_PORT = String(ports[name]);
    if (name === 'marketplace-api') Object.assign(env, { PORT: String(ports[name]), HOST: '127.0.0.1' });
    // the image's ENV lines (NODE_ENV=production), then the service's own environment
    return { ...imageEnv(dockerfile), ...env };
  };

  // postgres: the image's POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, on a free port
  const pgEnv = services.postgres.environment;
  const { startEmbeddedPostgres } = await import(pathToFileURL(path.join(imageDir, 'dist/libs/database/src/index.js')).href);
  database = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pgdata', 'cluster'), port: ports.postgres, durable: false });
  const pg = createRequire(path.join(imageDir, 'package.json'))('pg');
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  // the image makes POSTGRES_USER a superuser owning POSTGRES_DB
  await admin.query(`CREATE ROLE "${pgEnv.POSTGRES_USER}" SUPERUSER LOGIN PASSWORD '${pgEnv.POSTGRES_PASSWORD.replace(/'/g, "''")}'`);
  await admin.query(`CREATE DATABASE "${pgEnv.POSTGRES_DB}" OWNER "${pgEnv.POSTGRES_USER}"`);
  await admin.end();
  say(`postgres (embedded, from the pruned tree) on 127.0.0.1:${ports.postgres}, user ${pgEnv.POSTGRES_USER}, database ${pgEnv.POSTGRES_DB}`);

  // the volumes come up as Docker makes them from the image: the directory the image creates, empty
  for (const [name, service] of Object.entries(services)) {
    for (const mount of service.volumes ?? []) {
      const [volume, target] = String(mount).split(':');
      if (name !== 'postgres' && compose.volumes && volume in compose.volumes) {
        if (!new RegExp(`mkdir -p (.* )?${target}( |$)`).test(dockerfile)) throw new Error(`${name} mounts ${volume} on ${target}, which the Dockerfile does not create`);
        fs.mkdirSync(path.join(volumesDir, volume), { recursive: true });
      }
    }
  }

  // in depends_on order
  for (const name of startOrder(services)) {
    if (name === 'postgres') continue;
    const service = services[name];
    const env = envOf(name);
    const command = service.command ?? dockerCmd(dockerfile);
    if (command[0] !== 'node') throw new Error(`${name}: expected a node command, got ${command.join(' ')}`);
    running.push(run(name, command.slice(1), env));
    const check = healthcheckOf(service, dockerfile);
    if (!check) {
      await new Promise((r) => setTimeout(r, 2000));
      if (running.at(-1).exited) throw new Error(`${name} exited`);
      say(`${name} started (no health check: ${service.healthcheck?.disable ? 'disabled in the compose file' : 'none'})`);
      continue;
    }
    // a health check runs inside the service's own container: its 127.0.0.1:<port> is the service
    const own = [`127.0.0.1:${containerPort[name]}`, `127.0.0.1:${ports[name]}`];
    const probe = check.map((part) => [...rewrites, own].reduce((text, [from, to]) => text.split(from).join(to), part));
    await waitHealthy(name, probe, env);
  }

  // an admin key as the README says: `docker compose exec marketplace-api node dist/.../admin-key.js`
  // (the api's environment, so its database)
  const issue = run('admin-key', ['dist/apps/marketplace/src/cli/admin-key.js'], envOf('marketplace-api'));
  const issued = await issue.done;
  const adminKey = /mkt_[A-Za-z0-9_-]{43}/.exec(issue.output())?.[0];
  if (issued !== 0 || !adminKey) throw new Error(`the admin-key CLI failed (${issued}): ${issue.output()}`);
  say('admin key issued by the admin-key CLI with the api service environment');
  // then the demo from the host: only the published ports (localhost:3000, localhost:12111) and the key
  const demo = run('demo', ['dist/apps/marketplace/src/cli/demo.js'], {
    MARKETPLACE_URL: `http://127.0.0.1:${ports['marketplace-api']}`,
    SANDBOX_URL: `http://127.0.0.1:${ports['stripe-sandbox']}`,
    ADMIN_API_KEY: adminKey,
  });
  running.push(demo);
  const code = await demo.done;
  process.stdout.write(demo.output().replace(/^/gm, '    '));
  if (code !== 0 || !demo.output().includes('Demo finished: all')) throw new Error(`the demo exited with ${code}`);
  for (const proc of running) if (proc !== demo && proc.exited) throw new Error(`${proc.name} exited during the demo`);
  const stateFile = envOf('stripe-sandbox').SANDBOX_STATE_FILE;
  if (stateFile && !fs.existsSync(stateFile)) throw new Error(`the sandbox wrote no state file at ${stateFile}`);
  say('demo passed; every service still running');
}

/** The Dockerfile's steps: npm ci on the lockfile, the source copied in, build, prune; the final stage keeps three paths. */
function buildImage(dockerfile) {
  for (const step of ['npm ci --no-audit --no-fund', 'npm run build && npm prune --omit=dev']) {
    if (!dockerfile.includes(`RUN ${step}`)) throw new Error(`the Dockerfile no longer runs "${step}": update tools/compose-layout.js to mirror it`);
  }
  fs.mkdirSync(buildDir, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(root, file), path.join(buildDir, file));
  sh('npm ci --no-audit --no-fund --prefer-offline', buildDir);
  // COPY . . with .dockerignore's (top-level) names left out
  const ignored = new Set(
    fs
      .readFileSync(path.join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim().replace(/\/$/, ''))
      .filter((l) => l && !l.startsWith('#')),
  );
  for (const entry of fs.readdirSync(root)) {
    if (ignored.has(entry) || entry === 'package.json' || entry === 'package-lock.json') continue;
    fs.cpSync(path.join(root, entry), path.join(buildDir, entry), { recursive: true });
  }
  sh('npm run build', buildDir);
  sh('npm prune --omit=dev --no-audit --no-fund', buildDir);
  // the final stage: COPY --from=build package.json, node_modules, dist
  fs.mkdirSync(imageDir);
  for (const kept of ['package.json', 'node_modules', 'dist']) {
    if (!dockerfile.includes(`COPY --from=build /app/${kept} `)) throw new Error(`the Dockerfile's final stage no longer copies ${kept}`);
    fs.renameSync(path.join(buildDir, kept), path.join(imageDir, kept));
  }
  if (fs.existsSync(path.join(imageDir, 'node_modules', '@swc', 'core'))) throw new Error('npm prune --omit=dev left the devDependencies in');
  say(`image tree ready: ${imageDir} (production dependencies only)`);
}

function sh(command, cwd) {
  const t = Date.now();
  // the build stage sets no NODE_ENV: npm ci installs the devDependencies the build needs
  const { NODE_ENV: _, ...env } = process.env;
  const result = spawnSync(command, { cwd, shell: true, stdio: ['ignore', 'pipe', 'pipe'], env, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  say(`${command} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}

function imageEnv(dockerfile) {
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const env = {};
  for (const [, key, value] of finalStage.matchAll(/\nENV (\w+)=(\S+)/g)) env[key] = value;
  return env;
}

function dockerCmd(dockerfile) {
  const match = /\nCMD (\[.*\])/.exec(dockerfile);
  if (!match) throw new Error('no CMD in the Dockerfile');
  return JSON.parse(match[1]);
}

/** The compose healthcheck, or the image's HEALTHCHECK unless the compose file disables it; null for none. */
function healthcheckOf(service, dockerfile) {
  if (service.healthcheck?.disable) return null;
  const test = service.healthcheck?.test;
  if (test) {
    if (test[0] !== 'CMD') throw new Error(`healthcheck ${test.join(' ')}: only CMD form is run here`);
    return test.slice(1);
  }
  if (!service.build) return null;
  const match = /\nHEALTHCHECK .* CMD (node -e "(.*)")\n/.exec(dockerfile);
  return match ? ['node', '-e', match[2]] : null;
}

function startOrder(services) {
  const order = [];
  const visit = (name, trail = []) => {
    if (order.includes(name)) return;
    if (trail.includes(name)) throw new Error(`depends_on cycle: ${[...trail, name].join(' -> ')}`);
    for (const dependency of Object.keys(services[name].depends_on ?? {})) visit(dependency, [...trail, name]);
    order.push(name);
  };
  for (const name of Object.keys(services)) visit(name);
  return order;
}

function run(name, args, env) {
  let out = '';
  const child = spawn(process.execPath, args, { cwd: imageDir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = { name, child, exited: false, output: () => out };
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  proc.done = new Promise((resolve) =>
    child.on('exit', (code) => {
      proc.exited = true;
      resolve(code);
    }),
  );
  return proc;
}

async function waitHealthy(name, probe, env, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  const proc = running.find((p) => p.name === name);
  for (;;) {
    if (proc?.exited) throw new Error(`${name} exited before it was healthy`);
    const [cmd, ...args] = probe;
    const result = spawnSync(cmd === 'node' ? process.execPath : cmd, args, { cwd: imageDir, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 3000 });
    if (result.status === 0) break;
    if (Date.now() > deadline) throw new Error(`${name} was not healthy after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
  say(`${name} healthy (${probe.join(' ').slice(0, 110)})`);
}

async function stop(proc) {
  if (proc.exited) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
  await proc.done;
  clearTimeout(timer);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
