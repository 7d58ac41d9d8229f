import { StripeGatewayError } from './stripe-gateway.error.js';

/**
 * Stripe's rate limits as one schedule of send slots (GCRA without burst): every request takes the
 * next free slot of the global budget, and of its endpoint's budget when that operation has one.
 * Slots are `(1000 + slack) / rate` ms apart, so even when a request reaches Stripe up to `slack` ms
 * after its slot, no 1-second window holds more than `rate` of them.
 */
export interface RequestBudget {
  /** Resolves when one request (to `endpoint`, when it has its own limit) may be sent now. */
  take(endpoint?: EndpointLimit): Promise<void>;
}

/** A Stripe operation with its own limit beside the global one, e.g. `POST /v1/transfers`. */
export interface EndpointLimit {
  method: string;
  /** Stripe's path with `*` for an id segment: `/v1/transfers/*\/reversals`. */
  path: string;
  ratePerSecond: number;
}

/** One schedule: its name (a row in the shared store) and the spacing of its slots. */
export interface BudgetLane {
  name: string;
  intervalMs: number;
}

/**
 * Granted: the slot, at `atMs` on this process's clock (`performance.now()`). Refused: nothing was
 * reserved; ask again in `retryInMs`.
 */
export type SlotReservation = { granted: true; atMs: number } | { granted: false; retryInMs: number };

/**
 * Where slots are kept: in PostgreSQL for every instance (on the database's clock, which the store
 * maps onto this process's), or in this process.
 */
export interface SlotStore {
  reserve(global: BudgetLane, endpoint?: BudgetLane): Promise<SlotReservation>;
  close?(): Promise<void>;
}

export interface NextSlots {
  global: number;
  endpoint?: number;
}

/**
 * The schedule's one rule (the PostgreSQL function `stripe_request_budget_take` is the same rule):
 * the slot is the global lane's next free time, or now; an endpoint lane whose next free time is
 * later refuses without reserving anything (taking a later global slot would hold up every other
 * request behind it), and says when to ask again: once the global lane has moved on to the
 * endpoint's time (the global lane's backlog passes in real time too, or faster).
 * Both lanes then move on from the slot actually used. The shared store's function adds one bound
 * (migration StripeRequestBudgetBound): at most 30 s of backlog is granted, and a lane more than 60 s
 * ahead (a clock stepped back) is reset to now, so the schedule never jams every instance.
 */
export function reserveSlot(next: NextSlots, now: number, global: BudgetLane, endpoint?: BudgetLane): { granted: true; slot: number; next: NextSlots } | { granted: false; retryInMs: number } {
  const slot = Math.max(next.global, now);
  if (endpoint && next.endpoint !== undefined && next.endpoint > slot) return { granted: false, retryInMs: next.endpoint - slot };
  return { granted: true, slot, next: { global: slot + global.intervalMs, ...(endpoint ? { endpoint: slot + endpoint.intervalMs } : {}) } };
}

/** Spacing of slots that keeps every 1-second window at or under `ratePerSecond`, with `slackMs` of lateness allowed. */
export function slotIntervalMs(ratePerSecond: number, slackMs: number): number {
  if (!(ratePerSecond > 0) || !(slackMs >= 0)) throw new Error('a request budget needs a positive rate and a non-negative slack');
  return (1000 + slackMs) / ratePerSecond;
}

/** The endpoint limit of a request, if its operation has one. */
export function endpointLimitFor(method: string, path: string, limits: readonly EndpointLimit[]): EndpointLimit | undefined {
  const segments = path.split('?')[0]!.split('/');
  return limits.find((l) => {
    if (l.method !== method) return false;
    const pattern = l.path.split('/');
    return pattern.length === segments.length && pattern.every((p, i) => p === '*' || p === segments[i]);
  });
}

export function endpointLaneName(limit: EndpointLimit): string {
  return `${limit.method} ${limit.path}`;
}

/** Slots kept in this process: for code without a database (the sandbox harness, unit tests). */
export class LocalSlotStore implements SlotStore {
  private readonly next = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  async reserve(global: BudgetLane, endpoint?: BudgetLane): Promise<SlotReservation> {
    const now = this.now();
    const state: NextSlots = { global: this.next.get(global.name) ?? -Infinity, ...(endpoint ? { endpoint: this.next.get(endpoint.name) ?? -Infinity } : {}) };
    const r = reserveSlot(state, now, global, endpoint);
    if (!r.granted) return { granted: false, retryInMs: r.retryInMs };
    this.next.set(global.name, r.next.global);
    if (endpoint && r.next.endpoint !== undefined) this.next.set(endpoint.name, r.next.endpoint);
    return { granted: true, atMs: r.slot };
  }
}

export interface BudgetLogger {
  warn(obj: object, msg: string): void;
}

export interface ScheduledBudgetOptions {
  /** The global budget, e.g. `{ name: 'stripe', ratePerSecond: 25 }`. */
  name: string;
  ratePerSecond: number;
  /** Lateness a slot tolerates between its grant and Stripe's receipt (STRIPE_REQUEST_BUDGET_SLACK_MS). */
  slackMs: number;
  logger?: BudgetLogger;
  /** How long the store may fail before take() gives up with STRIPE.UNAVAILABLE (nothing is sent). */
  unavailableAfterMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Late slots given up before a request goes out on a late one (see ScheduledRequestBudget). */
export const MAX_LATE_SLOTS = 3;

/**
 * take(): reserve a slot, sleep until it, send. A slot used later than half the slack after its time
 * (the process stalled, or the store answered after the slot) is given up and a new one taken, so a late
 * request never bunches with the ones after it; the other half of the slack covers the trip to Stripe.
 * When slots keep arriving late (a loaded process or a slow database: every answer comes after its own
 * slot), the request goes out on its latest slot after MAX_LATE_SLOTS tries rather than failing: each
 * try consumed a slot, so the schedule stays spaced, and a request Stripe would not have failed is not
 * failed here (Stripe's own 429s are retried). A failing store is retried with backoff; no request goes
 * out without a slot.
 */
export class ScheduledRequestBudget implements RequestBudget {
  private readonly global: BudgetLane;
  private readonly now: () => number;
  /** What take() has done so far: slots used, asked again for a busy endpoint, given up for being late, store failures. */
  readonly counts = { taken: 0, refused: 0, missed: 0, failures: 0, sentLate: 0 };
  /** Requests sent, per lane: the global one (`stripe`) and each endpoint's (`POST /v1/transfers`). For metrics. */
  readonly sentByLane = new Map<string, number>();
  private readonly turns = new Map<string, Promise<void>>();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly store: SlotStore,
    private readonly options: ScheduledBudgetOptions,
  ) {
    this.global = { name: options.name, intervalMs: slotIntervalMs(options.ratePerSecond, options.slackMs) };
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? defaultSleep;
  }

  async take(endpoint?: EndpointLimit): Promise<void> {
    const lane = endpoint ? { name: `${this.options.name}:${endpointLaneName(endpoint)}`, intervalMs: slotIntervalMs(endpoint.ratePerSecond, this.options.slackMs) } : undefined;
    const tolerance = this.options.slackMs / 2;
    for (let missed = 0; ; ) {
      const atMs = lane ? await this.inTurn(lane.name, () => this.grant(lane)) : await this.grant();
      // until the slot, not just about: a Node timer can fire a millisecond or more early
      for (let sleepMs = atMs - this.now(); sleepMs > 0; sleepMs = atMs - this.now()) await this.sleep(sleepMs);
      if (this.now() - atMs <= tolerance) {
        this.counts.taken++;
        this.countSent(endpoint);
        return;
      }
      this.counts.missed++;
      if (++missed >= MAX_LATE_SLOTS) {
        this.counts.sentLate++;
        if (this.counts.sentLate % 100 === 1)
          this.options.logger?.warn(
            { budget: this.global.name, lateMs: Math.round(this.now() - atMs), sentLate: this.counts.sentLate },
            'stripe request slots keep arriving late (a loaded process or a slow database): sending on a late slot',
          );
        this.countSent(endpoint);
        return;
      }
    }
  }

  private countSent(endpoint?: EndpointLimit): void {
    for (const lane of [this.global.name, ...(endpoint ? [endpointLaneName(endpoint)] : [])]) this.sentByLane.set(lane, (this.sentByLane.get(lane) ?? 0) + 1);
  }

  // Callers of one endpoint in this process ask for it one at a time (in order): while the
  // endpoint is the bottleneck one of them waits for it, not all of them polling the store.
  private inTurn<T>(lane: string, fn: () => Promise<T>): Promise<T> {
    const turn = (this.turns.get(lane) ?? Promise.resolve()).then(fn);
    this.turns.set(
      lane,
      turn.then(
        () => undefined,
        () => undefined,
      ),
    );
    return turn;
  }

  // A granted slot, asking again when the endpoint is busy and retrying a failing store with backoff.
  private async grant(lane?: BudgetLane): Promise<number> {
    let failingSince: number | null = null;
    for (let failures = 0; ; ) {
      const asked = this.now();
      let r: SlotReservation;
      try {
        r = await this.store.reserve(this.global, lane);
      } catch (error) {
        failingSince ??= asked;
        failures++;
        this.counts.failures++;
        const giveUp = this.now() - failingSince >= (this.options.unavailableAfterMs ?? 30_000);
        this.options.logger?.warn({ budget: this.global.name, failures, willRetry: !giveUp, error: String(error) }, 'stripe request budget unavailable');
        if (giveUp) throw new StripeGatewayError('STRIPE.UNAVAILABLE', `the shared Stripe request budget cannot be reached: ${String(error)}`);
        await this.sleep(Math.min(2_000, 25 * 2 ** Math.min(failures, 7)));
        continue;
      }
      failingSince = null;
      failures = 0;
      if (r.granted) return r.atMs;
      this.counts.refused++;
      await this.sleep(Math.max(1, r.retryInMs));
    }
  }
}
