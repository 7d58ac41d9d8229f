// The ledger pass re-judges a balance's transactions with lines posted since the previous completed
// run started (`since`). A scheduled run that failed and is resumed after a later scheduled run completed
// must keep the `since` of the run before it: the later run read only the accounts with activity since
// the failed run started, so an account whose lines were posted before that is left to the failed run.
import { ReconciliationStore } from '../apps/marketplace/src/reconciliation/reconciliation-store.js';
import { testAppForFile } from './support/transfers.js';

describe("the ledger pass's since, for a failed scheduled run resumed after a later one completed", () => {
  const t = testAppForFile({ RECONCILIATION_POLL_MS: '3600000' });

  it('is the start of the last run completed before it started, not of the later one', async () => {
    const store = t.app.get(ReconciliationStore);
    const clock = new Date();
    const slot = (hour: number) => new Date(Date.UTC(2026, 7, 1, hour));
    const made = async (hour: number) => (await store.create({ trigger: 'schedule', slot: slot(hour), requestedBy: null, from: new Date(clock.getTime() - 3_600_000), to: clock }))!;
    const before = await store.start((await made(0)).id, ['platform'], clock);
    await store.finish(before.id, 'completed');
    const failed = await store.start((await made(1)).id, ['platform'], clock);
    await store.finish(failed.id, 'failed');
    const later = await store.start((await made(2)).id, ['platform'], clock);
    await store.finish(later.id, 'completed');

    expect(await store.requeueFailed()).toBe(1);
    const resumed = await store.start(failed.id, [], clock);
    expect(resumed.startedAt).toEqual(failed.startedAt);
    expect(await store.previousCompletedStart(resumed.id, 300)).toEqual(before.startedAt);
  });
});
