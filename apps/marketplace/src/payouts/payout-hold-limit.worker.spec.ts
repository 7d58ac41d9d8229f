import { Writable } from 'node:stream';
import { createRootLogger } from '../common/logger.js';
import { AppConfig } from '../config/app.config.js';
import type { HoldLimitStanding, PayoutReviewQueue } from './payout-review-queue.service.js';
import { PayoutHoldLimitWorker } from './payout-hold-limit.worker.js';
import { PayoutRiskConfig } from './payout-risk.config.js';

describe('PayoutHoldLimitWorker.tellAdmins', () => {
  it("tells admins of every seller near or past Stripe's hold limit, at error with alert payout_hold_limit", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const standing = (sellerId: string, past: boolean): HoldLimitStanding => ({
      sellerId,
      stripeAccount: `acct_${sellerId}`,
      country: 'TH',
      currency: 'THB',
      available: 90_000n,
      availableSince: new Date('2026-05-01T00:00:00Z'),
      deadline: new Date('2026-05-11T00:00:00Z'),
      daysLeft: past ? -3 : 2,
      limitDays: 10,
      past,
      reason: past ? 'past the limit' : 'near the limit',
    });
    // the queue's answer for this pass, as PayoutReviewQueue.holdLimit gives it
    const queue = { holdLimit: async () => [standing('s1', true), standing('s2', false)] } as unknown as PayoutReviewQueue;
    const worker = new PayoutHoldLimitWorker(new AppConfig(), new PayoutRiskConfig(), queue, createRootLogger('info', sink));
    expect(await worker.tellAdmins()).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(lines.filter((l) => l.alert)).toEqual([
      expect.objectContaining({ level: 'error', alert: 'payout_hold_limit', past: true, sellerId: 's1', stripeAccount: 'acct_s1', currency: 'THB', amount: '90000', daysLeft: -3 }),
      expect.objectContaining({ level: 'error', alert: 'payout_hold_limit', past: false, sellerId: 's2', daysLeft: 2 }),
    ]);
  });
});
