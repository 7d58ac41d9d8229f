/**
 * The worker loop every background job uses: call `runOnce` (which claims due rows with
 * `FOR UPDATE SKIP LOCKED` and works them), go again at once while it finds work, otherwise sleep
 * `idleMs`. Any number of processes can run the same loop against one PostgreSQL.
 */
export interface ClaimLoopOptions {
  name: string;
  idleMs: number;
  /** Returns how many rows it worked; 0 means nothing was due. */
  runOnce: () => Promise<number>;
  onError: (error: unknown) => void;
}

export interface ClaimLoop {
  /** Wake the loop now (e.g. right after new rows were inserted). */
  poke(): void;
  /** Stop after the current round finishes. */
  stop(): Promise<void>;
}

export function startClaimLoop(options: ClaimLoopOptions): ClaimLoop {
  let running = true;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
    });

  const done = (async () => {
    while (running) {
      let worked = 0;
      try {
        worked = await options.runOnce();
      } catch (error) {
        options.onError(error);
      }
      if (running && worked === 0) await sleep(options.idleMs);
    }
  })();

  return {
    poke: () => wake?.(),
    async stop() {
      running = false;
      wake?.();
      await done;
    },
  };
}
