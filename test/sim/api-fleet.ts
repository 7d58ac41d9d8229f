// The seed's api process: a real ROLE=api child (the built app) on the seed's database and sandbox,
// behind a small proxy whose URL stays the same while the process is SIGKILLed and replaced (as a
// load balancer's would). The proxy can be armed to kill the process while a request is in flight:
// the client's connection is then dropped without an answer, as a real client sees a crash.
import { freePort } from '@app/database';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { runNode, waitForReady, type RunningProcess } from '../support/process.js';
import { TEST_SETTINGS, type TestApp } from '../support/test-app.js';

const MAIN = 'dist/apps/marketplace/src/main.js';

interface Upstream {
  process: RunningProcess;
  port: number;
}

/** A kill armed for a coming request: after `skip` requests pass, the next one's process is SIGKILLed `delayMs` after it arrives. */
interface ArmedKill {
  skip: number;
  delayMs: number;
}

export class ApiFleet {
  private current: Upstream | undefined;
  private started = 0;
  private readonly finished: RunningProcess[] = [];
  /** Kills armed and not yet reached, the first one next. */
  private readonly armed: ArmedKill[] = [];
  /** The kills that happened since `killed()` was last asked. */
  private readonly hits: string[] = [];
  private restarting: Promise<void> = Promise.resolve();
  /** A replacement that failed (the new process did not start): said by the next disarm or restart. */
  private failure: Error | undefined;
  private readonly server: http.Server;
  private readonly agent = new http.Agent({ keepAlive: false });

  private constructor(
    private readonly t: TestApp,
    private readonly env: Record<string, string>,
    private readonly logDestination?: Writable,
  ) {
    this.server = http.createServer((req, res) => this.forward(req, res));
  }

  /** An api process started and ready behind the proxy. */
  static async start(t: TestApp, env: Record<string, string>, logDestination?: Writable): Promise<ApiFleet> {
    const fleet = new ApiFleet(t, env, logDestination);
    await new Promise<void>((resolve) => fleet.server.listen(0, '127.0.0.1', resolve));
    await fleet.startOne();
    return fleet;
  }

  /** Where the sim's client sends its requests: the same across restarts. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async startOne(): Promise<void> {
    this.started++;
    const port = await freePort();
    const proc = runNode(MAIN, {
      ...TEST_SETTINGS,
      ROLE: 'api',
      INSTANCE_NAME: `sim-api-${this.started}`,
      PORT: String(port),
      DATABASE_URL: this.t.databaseUrl,
      MIGRATIONS_RUN: 'false',
      STRIPE_API_BASE: this.t.sandbox.url,
      ...this.env,
    });
    try {
      await waitForReady(`http://127.0.0.1:${port}`, 60_000);
    } catch (error) {
      proc.child.kill('SIGKILL');
      throw new Error(`the api process did not start: ${(error as Error).message}\n${proc.output().slice(-3_000)}`);
    }
    this.current = { process: proc, port };
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const target = this.current;
    // no process (being replaced): the connection is refused, as the port of a dead process refuses it
    if (!target) {
      req.socket.destroy();
      return;
    }
    const armed = this.armed[0];
    const kill = armed && armed.skip-- <= 0 ? this.armed.shift() : undefined;
    if (kill) this.hits.push(`during ${req.method} ${req.url}, ${kill.delayMs} ms after it arrived`);
    let held: http.IncomingMessage | undefined;
    const upstream = http.request({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers, agent: this.agent }, (answer) => {
      if (kill) {
        held = answer; // the answer is never passed on: the process dies first
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
    if (kill)
      setTimeout(() => {
        this.restarting = this.replace(target, () => {
          held?.destroy();
          res.socket?.destroy();
        }).catch((error: Error) => {
          this.failure = error;
        });
      }, kill.delayMs);
  }

  /** SIGKILLs `target` (`onDead` then drops what it was answering), then starts another. */
  private async replace(target: Upstream, onDead: () => void = () => undefined): Promise<void> {
    if (this.current === target) this.current = undefined;
    target.process.child.kill('SIGKILL');
    await target.process.exited;
    this.finished.push(target.process);
    onDead();
    await this.startOne();
  }

  /**
   * Arms a kill for the coming requests: after `skip` of them pass, the process serving the next one is
   * SIGKILLed `delayMs` after it arrives (its answer, if it came sooner, never reaches the client).
   * It waits for requests as long as it takes (a step that sends none leaves it for the next).
   */
  armKill(skip: number, delayMs: number): void {
    this.armed.push({ skip, delayMs });
  }

  /** The kills that happened since last asked, once the new process is ready. */
  async killed(): Promise<string[]> {
    await this.restarting;
    if (this.failure) throw this.failure;
    return this.hits.splice(0);
  }

  /** The armed kills no request reached (the steps after them sent none): disarmed. How many there were. */
  unreached(): number {
    return this.armed.splice(0).length;
  }

  async killAndRestart(): Promise<void> {
    await this.restarting;
    if (this.current) this.restarting = this.replace(this.current);
    await this.restarting;
  }

  /** The last one is SIGKILLed too; every one's output goes to the log destination. */
  async stop(): Promise<void> {
    await this.restarting.catch(() => undefined);
    if (this.current) {
      this.current.process.child.kill('SIGKILL');
      await this.current.process.exited;
      this.finished.push(this.current.process);
      this.current = undefined;
    }
    for (const p of this.finished) this.logDestination?.write(p.output());
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
