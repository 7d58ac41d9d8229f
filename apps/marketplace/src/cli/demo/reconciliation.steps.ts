// Issue 14: scheduled reconciliation. The demo ends with a run and its report: everything it moved,
// compared with Stripe's balance transactions, payouts and balances, matched.
import { randomUUID } from 'node:crypto';
import { DemoFailure, pollUntil, type DemoContext, type DemoStep } from './demo-runner.js';

interface RunDetail {
  id: string;
  status: string;
  error: string | null;
  counts: { stripeTransactions: number; matched: number; inFlight: number; discrepancies: number };
  matched: Array<{ balance: string; currency: string; compared: number; matched: number; matchedAmount: string }>;
  discrepancies: Array<{ kind: string; count: number }>;
}

async function reconcile(ctx: DemoContext): Promise<RunDetail> {
  const admin = ctx.state.adminKey as string;
  const started = await ctx.api.call<{ id: string }>('POST', '/admin/reconciliation/runs', { key: admin, headers: { 'idempotency-key': randomUUID() }, body: {}, expect: [201] });
  return pollUntil(
    'the reconciliation run to finish',
    async () => {
      const run = await ctx.api.call<RunDetail>('GET', `/admin/reconciliation/runs/${started.body.id}`, { key: admin });
      return run.body.status === 'completed' || run.body.status === 'failed' ? run.body : undefined;
    },
    60_000,
  );
}

export const reconciliationSteps: DemoStep[] = [
  {
    title: "Reconcile: the ledger against Stripe's balance transactions, payouts and balances (POST /admin/reconciliation/runs)",
    async run(ctx) {
      let run = await reconcile(ctx);
      // what Stripe made in the last seconds may still be on its way here (a webhook in flight): one more run settles it
      if (run.status === 'completed' && (run.counts.discrepancies > 0 || run.counts.inFlight > 0)) {
        await new Promise((r) => setTimeout(r, 2_000));
        run = await reconcile(ctx);
      }
      if (run.status !== 'completed') throw new DemoFailure(`the run ${run.status}: ${run.error}`);
      ctx.note(`run ${run.id}: ${run.counts.stripeTransactions} Stripe balance transactions compared, ${run.counts.matched} matched, ${run.counts.discrepancies} discrepancies`);
      for (const m of run.matched) ctx.note(`  ${m.balance} ${m.currency}: ${m.matched} of ${m.compared} matched, net ${m.matchedAmount} (minor units)`);
      ctx.note(`report: GET /admin/reconciliation/runs/${run.id}, its discrepancies at .../discrepancies, its CSV at .../export.csv`);
      if (run.counts.discrepancies > 0 || run.counts.matched !== run.counts.stripeTransactions)
        throw new DemoFailure(`reconciliation found differences: ${run.discrepancies.map((d) => `${d.count} ${d.kind}`).join(', ')}`);
      ctx.note('everything matched');
    },
  },
];
