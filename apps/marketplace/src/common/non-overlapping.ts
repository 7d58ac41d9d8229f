/**
 * A periodic task that never runs twice at once in this process: a tick that comes while the
 * previous run is still going is skipped (the next tick after it ends runs). For `setInterval`
 * loops whose work waits on Stripe's shared request budget or on the database pool: without it, a
 * congested budget or pool makes each tick start one more run, every run waits for slots or
 * connections the others hold, and the loop itself fills the budget and exhausts the pool.
 */
export function nonOverlapping(task: () => Promise<unknown>): () => Promise<void> {
  let running = false;
  return async () => {
    if (running) return;
    running = true;
    try {
      await task();
    } finally {
      running = false;
    }
  };
}
