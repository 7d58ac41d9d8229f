// The seed's worker process: a real ROLE=worker child beside the in-process app, SIGKILLed mid-work
// and started again when the seed says so. Its rows' leases are short, so what it held is taken over
// by the other worker within seconds.
import type { Writable } from 'node:stream';
import type { RunningProcess } from '../support/process.js';
import { EVENTS_SECRET, type TestApp } from '../support/test-app.js';
import { workerProcess } from '../support/worker-process.js';

export class WorkerFleet {
  private current: RunningProcess;
  private started = 0;
  private readonly finished: RunningProcess[] = [];

  constructor(
    private readonly t: TestApp,
    private readonly env: Record<string, string>,
    private readonly logDestination?: Writable,
  ) {
    this.current = this.start();
  }

  private start(): RunningProcess {
    this.started++;
    return workerProcess(this.t, `sim-worker-${this.started}`, {
      STRIPE_EVENT_DESTINATION_SECRETS: EVENTS_SECRET,
      // the test instance's budget and schedules (test-app.ts), not production's
      STRIPE_REQUESTS_PER_SECOND: '1000',
      STRIPE_TRANSFERS_PER_SECOND: '1000',
      STRIPE_PAYOUTS_PER_SECOND: '1000',
      RECONCILIATION_CRON: '0 0 1 1 *',
      ...this.env,
    });
  }

  async killAndRestart(): Promise<void> {
    this.current.child.kill('SIGKILL');
    await this.current.exited;
    this.finished.push(this.current);
    this.current = this.start();
  }

  /** The last one is SIGKILLed too (its rows are taken over like the others'); every one's output goes to the log destination. */
  async stop(): Promise<void> {
    this.current.child.kill('SIGKILL');
    await this.current.exited;
    for (const p of [...this.finished, this.current]) this.logDestination?.write(p.output());
  }
}
