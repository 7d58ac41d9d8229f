import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Counts API requests per second of wall time as they arrive (before faults or processing), in
 * total, per resource (`/v1/transfers`) and per operation (`POST /v1/transfers/*\/reversals`), so a
 * test can check what a client's rate limiting really delivered; and how long the sandbox itself
 * took to answer each (arrival to the last byte written), so a benchmark can tell the sandbox's time
 * from its client's. Keeps the last `keepSeconds`.
 */
export class RequestMeter {
  // arrival times (ms) per key, oldest first
  private readonly arrivals = new Map<string, number[]>();
  // [answered at (ms), handling time (ms)] per key, oldest first
  private readonly handled = new Map<string, Array<[number, number]>>();
  private loop: IntervalHistogram | null = null;

  constructor(
    private readonly keepSeconds = 600,
    private readonly now: () => number = () => Date.now(),
  ) {}

  record(method: string, pathname: string): void {
    const at = this.now();
    for (const key of keysOf(method, pathname)) {
      const list = this.arrivals.get(key) ?? [];
      if (list.length === 0) this.arrivals.set(key, list);
      list.push(at);
      if (list.length % 1024 === 0) this.prune(list, at);
    }
  }

  /** A request of `record` answered after `ms` of the sandbox's own time. */
  recordHandled(method: string, pathname: string, ms: number): void {
    const at = this.now();
    for (const key of keysOf(method, pathname)) {
      const list = this.handled.get(key) ?? [];
      if (list.length === 0) this.handled.set(key, list);
      list.push([at, ms]);
      if (list.length % 1024 === 0) {
        const cut = at - this.keepSeconds * 1000;
        const i = list.findIndex(([t]) => t >= cut);
        list.splice(0, i < 0 ? list.length : i);
      }
    }
  }

  /**
   * Samples this process's event-loop delay (how late a timer fires, so how late an arrival can be
   * stamped when the process is busy or not scheduled) from now until close(); reset() restarts it.
   */
  watchEventLoop(): void {
    this.loop ??= monitorEventLoopDelay({ resolution: 10 });
    this.loop.enable();
  }

  close(): void {
    this.loop?.disable();
  }

  reset(): void {
    this.arrivals.clear();
    this.handled.clear();
    this.loop?.reset();
  }

  /**
   * Over the last `windowSeconds`: per calendar second (unix seconds) how many arrived, the largest of
   * those counts, and the most in any sliding 1-second window (never below the calendar maximum).
   */
  stats(windowSeconds = 60, key = 'total'): RequestStats {
    const now = this.now();
    const from = now - windowSeconds * 1000;
    const times = (this.arrivals.get(key) ?? []).filter((t) => t >= from);
    const handling = (this.handled.get(key) ?? []).filter(([t]) => t >= from).map(([, ms]) => ms);
    const loop = this.loop && this.loop.count > 0 ? { p99: round(this.loop.percentile(99) / 1e6), max: round(this.loop.max / 1e6) } : null;
    return { key, ...summarize(times), handling_ms: handlingSummary(handling), event_loop_delay_ms: loop, window_seconds: windowSeconds, keys: [...this.arrivals.keys()].sort() };
  }

  private prune(list: number[], now: number): void {
    const cut = now - this.keepSeconds * 1000;
    let i = 0;
    while (i < list.length && list[i]! < cut) i++;
    if (i) list.splice(0, i);
  }
}

export interface RequestStats {
  key: string;
  window_seconds: number;
  total: number;
  max_per_second: number;
  max_in_any_second: number;
  /** When the densest sliding second began (unix ms of its first arrival), or null without arrivals. */
  max_in_any_second_at: number | null;
  series: Array<{ second: number; count: number }>;
  /** The sandbox's own time per answered request (arrival to the last byte written), in milliseconds. */
  handling_ms: { count: number; mean: number; p50: number; p99: number; max: number };
  /** This process's event-loop delay since the counts were last reset (watchEventLoop), or null when not watched. */
  event_loop_delay_ms: { p99: number; max: number } | null;
  keys: string[];
}

/** The keys a request counts under: total, its resource, its operation. */
function keysOf(method: string, pathname: string): string[] {
  const segments = pathname.split('/');
  const resource = segments.slice(0, 3).join('/');
  // ids (tr_..., acct_...) become `*`: Stripe counts every id of one operation together. An id has
  // a capital or a digit after its prefix; a v2 resource name (account_links, event_destinations) has neither
  const operation = `${method} ${segments.map((s, i) => (i > 2 && /^[a-z]+_[A-Za-z0-9_]*[A-Z0-9][A-Za-z0-9_]*$/.test(s) ? '*' : s)).join('/')}`;
  return ['total', resource, operation];
}

function handlingSummary(ms: number[]): RequestStats['handling_ms'] {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!) : 0);
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0;
  return { count: sorted.length, mean: round(mean), p50: at(0.5), p99: at(0.99), max: sorted.length ? round(sorted[sorted.length - 1]!) : 0 };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

function summarize(times: number[]): Pick<RequestStats, 'total' | 'max_per_second' | 'max_in_any_second' | 'max_in_any_second_at' | 'series'> {
  const perSecond = new Map<number, number>();
  for (const t of times) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  const series = [...perSecond.entries()].sort((a, b) => a[0] - b[0]).map(([second, count]) => ({ second, count }));
  let sliding = 0;
  let at: number | null = null;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    if (i - j + 1 > sliding) {
      sliding = i - j + 1;
      at = times[j]!;
    }
  }
  return { total: times.length, max_per_second: Math.max(0, ...series.map((s) => s.count)), max_in_any_second: sliding, max_in_any_second_at: at, series };
}
