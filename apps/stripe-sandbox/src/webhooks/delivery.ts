import { SandboxRandom } from '../core/random.js';
import { signatureHeader } from './signature.js';

export interface DeliveryTarget {
  endpointId: string;
  url: string;
  secret: string;
}

export interface WebhookFaults {
  /** deliver each event this many times (at least once) */
  duplicate: number;
  /** deliver queued events in random order */
  shuffle: boolean;
  /** withhold every delivery until released */
  outage: boolean;
}

export interface DeliveryRecord {
  event: string;
  type: string;
  endpoint: string;
  attempt: number;
  status: number | null;
  ok: boolean;
  error?: string;
  at: number;
}

interface Job {
  eventId: string;
  type: string;
  payload: string;
  target: DeliveryTarget;
  attempt: number;
  /** counts towards pending_webhooks (duplicates do not) */
  primary: boolean;
}

export interface DispatcherOptions {
  maxAttempts: number;
  baseDelayMs: number;
  timeoutMs: number;
  onOutcome: (eventId: string, endpointId: string, ok: boolean) => void;
  /** what `shuffle` draws from (default: unseeded) */
  random?: SandboxRandom;
}

// Asynchronous, at-least-once delivery with exponential backoff. Real time drives retries (a
// receiver that is down for a moment gets the event a little later); the signature timestamp is
// real time too, because receivers check it against their own clock.
export class WebhookDispatcher {
  faults: WebhookFaults = { duplicate: 1, shuffle: false, outage: false };
  readonly log: DeliveryRecord[] = [];
  private batch: Job[] = [];
  private withheld: Job[] = [];
  private inFlight = 0;
  private timers = new Set<NodeJS.Timeout>();
  private flushScheduled = false;
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  private readonly random: SandboxRandom;

  constructor(private readonly options: DispatcherOptions) {
    this.random = options.random ?? new SandboxRandom();
  }

  enqueue(eventId: string, type: string, payload: string, targets: DeliveryTarget[]): void {
    for (const target of targets) {
      const copies = Math.max(1, this.faults.duplicate);
      for (let i = 0; i < copies; i++) this.batch.push({ eventId, type, payload, target, attempt: 0, primary: i === 0 });
    }
    this.scheduleFlush();
  }

  release(): number {
    const jobs = this.withheld;
    this.withheld = [];
    this.batch.push(...jobs);
    this.scheduleFlush();
    return jobs.length;
  }

  withheldCount(): number {
    return this.withheld.length;
  }

  /** Resolves once nothing is queued, in flight or waiting for a retry (withheld jobs excepted). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.batch = [];
    this.notifyIdle();
  }

  reset(): void {
    this.withheld = [];
    this.batch = [];
    this.log.length = 0;
    this.faults = { duplicate: 1, shuffle: false, outage: false };
  }

  private isIdle(): boolean {
    return this.batch.length === 0 && this.inFlight === 0 && this.timers.size === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle() && !this.closed) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Never inside the API request: the response goes out first.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    let jobs = this.batch;
    this.batch = [];
    if (this.faults.outage) {
      this.withheld.push(...jobs);
      this.notifyIdle();
      return;
    }
    if (this.faults.shuffle) jobs = this.random.shuffle(jobs);
    for (const job of jobs) void this.attempt(job);
    this.notifyIdle();
  }

  private async attempt(job: Job): Promise<void> {
    if (this.closed) return;
    job.attempt++;
    this.inFlight++;
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string | undefined;
    try {
      const res = await fetch(job.target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signatureHeader(job.payload, job.target.secret, timestamp),
        },
        body: job.payload,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    this.inFlight--;
    const ok = status !== null && status >= 200 && status < 300;
    this.log.push({ event: job.eventId, type: job.type, endpoint: job.target.endpointId, attempt: job.attempt, status, ok, error, at: timestamp });
    if (this.log.length > 5000) this.log.splice(0, this.log.length - 5000);
    if (ok) {
      if (job.primary) this.options.onOutcome(job.eventId, job.target.endpointId, true);
    } else if (job.attempt < this.options.maxAttempts && !this.closed) {
      const delay = this.options.baseDelayMs * 2 ** (job.attempt - 1);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.faults.outage) {
          this.withheld.push(job);
          this.notifyIdle();
        } else void this.attempt(job);
      }, delay);
      timer.unref();
      this.timers.add(timer);
    } else if (job.primary) {
      this.options.onOutcome(job.eventId, job.target.endpointId, false);
    }
    this.notifyIdle();
  }
}
