import { Writable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { createRootLogger } from '../common/logger.js';
import { TransferHoldsService } from './transfer-holds.service.js';
import { TransfersConfig } from './transfers.config.js';

describe('TransferHoldsService.releaseDue', () => {
  it('tells admins of every transfer released at the end of its hold (max_hold), not of automatic releases', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const released = [
      { id: 't1', order_id: 'o1', seller_id: 's1', release_reason: 'max_hold', amount: '900', currency: 'USD' },
      { id: 't2', order_id: 'o1', seller_id: 's2', release_reason: 'auto', amount: '2700', currency: 'USD' },
    ];
    // the database's answer to the one UPDATE ... RETURNING (rows, count), as TypeORM gives it
    const db = { query: async () => [released, released.length] } as unknown as DataSource;
    const holds = new TransferHoldsService(db, new TransfersConfig(), createRootLogger('info', sink));
    expect(await holds.releaseDue()).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(lines.filter((l) => l.alert)).toEqual([
      expect.objectContaining({ level: 'error', alert: 'transfer_hold_expired', transferId: 't1', orderId: 'o1', sellerId: 's1', amount: '900', currency: 'USD' }),
    ]);
  });
});
