import { randomUUID } from 'node:crypto';
import { bearer } from './factories/principal.factory.js';
import { finishedRun } from './support/reconciliation.js';
import { sqlClient } from './support/sql.js';
import { testAppForFile } from './support/transfers.js';

// Found by the simulation (npm run sim -- --seed 102 --steps 60): an admin's run while Stripe
// answered 500 to the clock read (GET /v1/balance) was a 500 INTERNAL.
describe('POST /admin/reconciliation/runs while Stripe cannot be read', () => {
  const t = testAppForFile();

  it('answers 503 RECONCILIATION.STRIPE_UNAVAILABLE, queues nothing, and the next ask makes the run', async () => {
    const sql = sqlClient(t.databaseUrl);
    try {
      const before = await sql.query(`SELECT id FROM reconciliation_runs`);
      t.sandbox.control.addFault({ method: 'GET', path: '/v1/balance', kind: 'error_500', count: 10 });
      const refused = await t.http.post('/admin/reconciliation/runs').set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({});
      t.sandbox.control.clearFaults();
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('RECONCILIATION.STRIPE_UNAVAILABLE');
      expect(JSON.stringify(refused.body)).not.toMatch(/injected|sandbox|stack/i);
      expect(await sql.query(`SELECT id FROM reconciliation_runs`)).toEqual(before);

      const asked = await t.http.post('/admin/reconciliation/runs').set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({}).expect(201);
      expect((await finishedRun(t, asked.body.id)).status).toBe('completed');
    } finally {
      await sql.end();
    }
  });
});
