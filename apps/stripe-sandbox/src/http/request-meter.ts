/**
 * Counts API requests per second of wall time as they arrive (before faults or processing), in
 * total, per resource (`/v1/transfers`) and per operation (`POST /v1/transfers/*\/reversals`), so a
 * test can check what a client's rate limiting really delivered. Keeps the last `keepSeconds`.
 */
export class RequestMeter {
  // arrival times (ms) per key, oldest first
  private readonly arrivals = new Map<string, number[]>();

  constructor(
    private readonly keepSeconds = 600,
    private readonly now: () => number = () => Date.now(),
  ) {}

  record(method: string, pathname: string): void {
    const at = this.now();
    const segments = pathname.split('/');
    const resource = segments.slice(0, 3).join('/');
    // ids (tr_..., acct_...) become `*`: Stripe counts every id of one operation together. An id has
    // a capital or a digit after its prefix; a v2 resource name (account_links, event_destinations) has neither
    const operation = `${method} ${segments.map((s, i) => (i > 2 && /^[a-z]+_[A-Za-z0-9_]*[A-Z0-9][A-Za-z0-9_]*$/.test(s) ? '*' : s)).join('/')}`;
    for (const key of ['total', resource, operation]) {
      const list = this.arrivals.get(key) ?? [];
      if (list.length === 0) this.arrivals.set(key, list);
      list.push(at);
      if (list.length % 1024 === 0) this.prune(list, at);
    }
  }

  reset(): void {
    this.arrivals.clear();
  }

  /**
   * Over the last `windowSeconds`: per calendar second (unix seconds) how many arrived, the largest of
   * those counts, and the most in any sliding 1-second window (never below the calendar maximum).
   */
  stats(windowSeconds = 60, key = 'total'): RequestStats {
    const now = this.now();
    const from = now - windowSeconds * 1000;
    const times = (this.arrivals.get(key) ?? []).filter((t) => t >= from);
    return { key, ...summarize(times), window_seconds: windowSeconds, keys: [...this.arrivals.keys()].sort() };
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
  series: Array<{ second: number; count: number }>;
  keys: string[];
}

function summarize(times: number[]): Pick<RequestStats, 'total' | 'max_per_second' | 'max_in_any_second' | 'series'> {
  const perSecond = new Map<number, number>();
  for (const t of times) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  const series = [...perSecond.entries()].sort((a, b) => a[0] - b[0]).map(([second, count]) => ({ second, count }));
  let sliding = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    sliding = Math.max(sliding, i - j + 1);
  }
  return { total: times.length, max_per_second: Math.max(0, ...series.map((s) => s.count)), max_in_any_second: sliding, series };
}
