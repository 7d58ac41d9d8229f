import { DISCREPANCY_TRANSITIONS, PHASES, type RunCursor, nextCursor } from './reconciliation-run.js';

describe('a run cursor', () => {
  it('reads on after the last id while there is more, then the next balance, then the next pass', () => {
    const at = { phase: 'transactions' as const, balance: 0, after: null };
    expect(nextCursor(at, 3, { hasMore: true, last: 'txn_9' }, true)).toEqual({ phase: 'transactions', balance: 0, after: 'txn_9' });
    expect(nextCursor({ ...at, after: 'txn_9' }, 3, { hasMore: false, last: 'txn_1' }, true)).toEqual({ phase: 'transactions', balance: 1, after: null });
    expect(nextCursor({ ...at, balance: 2 }, 3, { hasMore: false, last: null }, true)).toEqual({ phase: 'ledger', balance: 0, after: null });
    expect(nextCursor({ phase: 'fees', balance: 0, after: null }, 3, { hasMore: false, last: null }, false)).toEqual({ phase: 'balances', balance: 0, after: null });
    expect(nextCursor({ phase: 'balances', balance: 0, after: null }, 3, { hasMore: false, last: null }, false).phase).toBe('done');
  });

  it('visits every pass once, in order, ending done', () => {
    const seen: string[] = [];
    let cursor: RunCursor = { phase: PHASES[0], balance: 0, after: null };
    while (cursor.phase !== 'done') {
      seen.push(cursor.phase);
      cursor = nextCursor(cursor, 1, { hasMore: false, last: null }, true);
    }
    expect(seen).toEqual(PHASES.filter((p) => p !== 'done'));
  });
});

describe('discrepancy transitions', () => {
  it('resolved and cleared are final; a heal waits for a run to clear or reopen it', () => {
    const from = (to: keyof typeof DISCREPANCY_TRANSITIONS) => DISCREPANCY_TRANSITIONS[to];
    expect(from('healed')).toEqual(['open', 'healed']);
    expect(from('open')).toEqual(['healed']);
    for (const to of Object.keys(DISCREPANCY_TRANSITIONS) as Array<keyof typeof DISCREPANCY_TRANSITIONS>) {
      expect(from(to)).not.toContain('resolved');
      expect(from(to)).not.toContain('cleared');
    }
  });
});
