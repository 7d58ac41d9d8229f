import type { StripeGateway } from '@app/stripe';
import type { BalanceCheckService } from '../ledger/index.js';
import type { BooksReader } from './books-reader.js';
import type { Finding } from './discrepancies.js';
import type { ObjectChecks } from './object-checks.js';
import type { PayoutChecks } from './payout-checks.js';
import { BalancesPass, DiscrepancyRecheck } from './recheck-pass.js';
import { type Discrepancy, NO_COUNTS, type ReconciliationRun } from './reconciliation-run.js';
import type { ReconciliationStore } from './reconciliation-store.js';
import type { TransactionJudge } from './transaction-judge.js';

// Fakes of the collaborators: what the books say about a subject, and what a check of it would find now
// (nothing: the state a recheck must not take for "settled" while the books cannot know yet).
function books(o: { inFlight?: string[]; booked?: string[]; balanceEventsInFlight?: boolean }): BooksReader {
  return {
    inFlightObjects: async (ids: string[]) => new Set(ids.filter((id) => o.inFlight?.includes(id))),
    hasBooked: async (id: string) => o.booked?.includes(id) ?? false,
    eventsInFlightFor: async () => o.balanceEventsInFlight ?? false,
    sellerOfAccount: async () => 'seller-1',
  } as unknown as BooksReader;
}
const nothingFound = async (): Promise<Finding[]> => [];
const checks = { payouts: { checkByIds: nothingFound } as unknown as PayoutChecks, objects: { refunds: nothingFound, transfers: nothingFound } as unknown as ObjectChecks };
const gateway = { retrieveRefund: async (id: string) => ({ id }), retrieveTransfer: async (id: string) => ({ id }) } as unknown as StripeGateway;
const judge = {} as TransactionJudge;

const run: ReconciliationRun = {
  id: 'run-2',
  trigger: 'schedule',
  slot: null,
  requestedBy: null,
  windowFrom: new Date('2026-12-01T00:00:00Z'),
  windowTo: new Date('2026-12-01T01:00:00Z'),
  status: 'running',
  balances: ['platform', 'acct_1'],
  stripeClock: null,
  cursor: { phase: 'recheck', balance: 0, after: null },
  counts: NO_COUNTS,
  error: null,
  startedAt: null,
  finishedAt: null,
  createdAt: new Date(),
  itemsPrunedAt: null,
  balanceFrom: {},
};

function discrepancy(stripeObjectId: string, kind: Discrepancy['kind'] = 'status_mismatch'): Discrepancy {
  return {
    id: 'd-1',
    foundInRunId: 'run-1',
    lastSeenRunId: 'run-1',
    kind,
    severity: 'medium',
    status: 'open',
    fingerprint: `${kind}:acct_1:USD:${stripeObjectId}`,
    balance: 'acct_1',
    sellerId: 'seller-1',
    currency: 'USD',
    stripeObjectId,
    stripeBalanceTransactionId: null,
    stripeAmount: 700n,
    ledgerAmount: 700n,
    ours: {},
    details: {},
    summary: 'differs',
    heals: [],
    resolvedBy: null,
    resolutionNote: null,
    resolvedAt: null,
    clearedInRunId: null,
    clearedAt: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}

describe('rechecking a discrepancy', () => {
  const recheck = (b: BooksReader) => new DiscrepancyRecheck(gateway, judge, checks.payouts, checks.objects, b);

  it('whose subject has an event still being worked in the inbox: neither settled nor found again (the next run looks)', async () => {
    for (const id of ['po_1', 're_1', 'tr_1']) expect(await recheck(books({ inFlight: [id], booked: [id] })).recheck(run, discrepancy(id))).toBeNull();
  });

  it('whose subject our books do not have yet: not settled by a check that has nothing of ours to compare', async () => {
    for (const id of ['po_1', 're_1', 'tr_1']) expect(await recheck(books({ booked: [] })).recheck(run, discrepancy(id))).toBeNull();
  });

  it('whose subject is booked, settled and idle: settled when the check finds nothing', async () => {
    for (const id of ['po_1', 're_1', 'tr_1']) expect(await recheck(books({ booked: [id] })).recheck(run, discrepancy(id))).toEqual({ findings: [], items: [], settled: true });
  });
});

describe('the balance pass', () => {
  const differing = {
    balances: [{ matches: false, account: 'acct_1', sellerId: 'seller-1', currency: 'USD', stripe: { available: 1n, pending: 0n }, ledger: { available: 0n, pending: 0n } }],
    checkedAt: new Date(),
  };
  const pass = (b: BooksReader, checked: string[]) =>
    new BalancesPass(
      {
        check: async () => {
          checked.push('acct_1');
          return differing;
        },
      } as unknown as BalanceCheckService,
      { liveOfKind: async () => [discrepancy('acct_1', 'balance_mismatch')] } as unknown as ReconciliationStore,
      b,
      gateway,
    );
  const at = { ...run.cursor, phase: 'balances' as const, balance: 1 };

  it('skips a balance with events still in the inbox: no difference found, none cleared, Stripe not asked', async () => {
    const checked: string[] = [];
    const outcome = await pass(books({ balanceEventsInFlight: true }), checked).page(run, at);
    expect(outcome).toEqual({ next: { phase: 'done', balance: 0, after: null } });
    expect(checked).toEqual([]);
  });

  it('checks an idle balance: the difference is found', async () => {
    const checked: string[] = [];
    const outcome = await pass(books({}), checked).page(run, at);
    expect(checked).toEqual(['acct_1']);
    expect(outcome.findings).toMatchObject([{ kind: 'balance_mismatch', balance: 'acct_1', stripeAmount: 1n, ledgerAmount: 0n }]);
  });
});
