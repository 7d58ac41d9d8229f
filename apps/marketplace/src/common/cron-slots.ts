import { CronTime } from 'cron';

/** At most this many slots are listed (an every-second cron over days would be millions). */
export const MAX_LISTED_SLOTS = 1_000;

/** Every moment `cron` (UTC) fires in (from, to], oldest first, at most `max`. */
export function slotsBetween(cron: string, from: Date, to: Date, max: number = MAX_LISTED_SLOTS): Date[] {
  const time = new CronTime(cron, 'UTC');
  const out: Date[] = [];
  let at = from;
  while (out.length < max) {
    const next = time.getNextDateFrom(at, 'UTC').toJSDate();
    if (next.getTime() > to.getTime()) break;
    out.push(next);
    at = next;
  }
  return out;
}

/** The moment `cron` last fired at or before `now` (the slot a tick stands for, whatever its lag), or null if none within a year. */
export function latestSlotAtOrBefore(cron: string, now: Date): Date | null {
  // look back a minute, then further, so a frequent cron is not walked over a year
  for (const back of [60_000, 3_600_000, 86_400_000, 32 * 86_400_000, 366 * 86_400_000]) {
    const slots = slotsBetween(cron, new Date(now.getTime() - back), now, Number.MAX_SAFE_INTEGER);
    if (slots.length) return slots[slots.length - 1]!;
  }
  return null;
}
