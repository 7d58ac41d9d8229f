import { latestSlotAtOrBefore, slotsBetween } from './cron-slots.js';

describe('payout run slots', () => {
  it('lists the daily slots of a window, in UTC, excluding its start and including its end', () => {
    const slots = slotsBetween('0 0 * * *', new Date('2026-03-01T00:00:00Z'), new Date('2026-03-04T00:00:00Z'));
    expect(slots.map((s) => s.toISOString())).toEqual(['2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z', '2026-03-04T00:00:00.000Z']);
  });

  it('stops at the cap', () => {
    expect(slotsBetween('* * * * * *', new Date('2026-03-01T00:00:00Z'), new Date('2026-03-02T00:00:00Z'), 5)).toHaveLength(5);
  });

  it('names the slot a late tick stands for, the same for two workers whose ticks straddle a second', () => {
    const a = latestSlotAtOrBefore('0 0 * * *', new Date('2026-03-02T00:00:00.004Z'));
    const b = latestSlotAtOrBefore('0 0 * * *', new Date('2026-03-02T00:00:01.900Z'));
    expect([a?.toISOString(), b?.toISOString()]).toEqual(['2026-03-02T00:00:00.000Z', '2026-03-02T00:00:00.000Z']);
    expect(latestSlotAtOrBefore('0 0 1 1 *', new Date('2026-03-02T10:00:00Z'))?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(latestSlotAtOrBefore('*/10 * * * * *', new Date('2026-03-02T10:00:09.999Z'))?.toISOString()).toBe('2026-03-02T10:00:00.000Z');
  });
});
