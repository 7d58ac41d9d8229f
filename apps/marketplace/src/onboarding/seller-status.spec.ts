import type { ConnectedAccountSnapshot } from '@app/stripe';
import fc from 'fast-check';
import { SellerAccount } from './seller-account.entity.js';
import { gateProblems, toSellerStatus } from './seller-status.js';

function snapshot(over: Partial<Omit<ConnectedAccountSnapshot, 'requirements'>> & { requirements?: Partial<ConnectedAccountSnapshot['requirements']> } = {}): ConnectedAccountSnapshot {
  const { requirements, ...rest } = over;
  return {
    id: 'acct_test',
    email: null,
    country: 'US',
    chargesEnabled: true,
    payoutsEnabled: true,
    detailsSubmitted: true,
    capabilities: { cardPayments: 'active', transfers: 'active' },
    metadata: {},
    created: new Date(0),
    ...rest,
    requirements: { currentlyDue: [], eventuallyDue: [], pastDue: [], pendingVerification: [], currentDeadline: null, disabledReason: null, ...requirements },
  };
}

describe('toSellerStatus', () => {
  it('is active when charges and payouts are enabled and both capabilities are active', () => {
    expect(toSellerStatus(snapshot(), false)).toBe('active');
  });

  it('is pending while details are not submitted', () => {
    const fresh = snapshot({
      detailsSubmitted: false,
      chargesEnabled: false,
      payoutsEnabled: false,
      capabilities: { cardPayments: 'inactive', transfers: 'inactive' },
      requirements: { currentlyDue: ['external_account'], disabledReason: 'requirements.past_due' },
    });
    expect(toSellerStatus(fresh, false)).toBe('pending');
  });

  it('is restricted when something is currently due, past due, or the account is disabled', () => {
    expect(toSellerStatus(snapshot({ requirements: { currentlyDue: ['individual.verification.document'] } }), false)).toBe('restricted');
    expect(toSellerStatus(snapshot({ requirements: { pastDue: ['external_account'] } }), false)).toBe('restricted');
    expect(toSellerStatus(snapshot({ requirements: { disabledReason: 'requirements.pending_verification' } }), false)).toBe('restricted');
  });

  it('is restricted when nothing is due but the account is not fully enabled yet', () => {
    expect(toSellerStatus(snapshot({ payoutsEnabled: false }), false)).toBe('restricted');
    expect(toSellerStatus(snapshot({ capabilities: { cardPayments: 'active', transfers: 'pending' } }), false)).toBe('restricted');
    expect(toSellerStatus(snapshot({ capabilities: { cardPayments: null, transfers: 'active' } }), false)).toBe('restricted');
  });

  it('is rejected for any rejected.* reason, even before details are submitted', () => {
    expect(toSellerStatus(snapshot({ requirements: { disabledReason: 'rejected.fraud' } }), false)).toBe('rejected');
    expect(toSellerStatus(snapshot({ detailsSubmitted: false, requirements: { disabledReason: 'rejected.other' } }), false)).toBe('rejected');
  });

  it('is disconnected once deauthorized, whatever the account says', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.boolean(), fc.option(fc.constantFrom('rejected.fraud', 'requirements.past_due')), (charges, payouts, submitted, reason) => {
        expect(toSellerStatus(snapshot({ chargesEnabled: charges, payoutsEnabled: payouts, detailsSubmitted: submitted, requirements: { disabledReason: reason } }), true)).toBe('disconnected');
      }),
    );
  });

  it('is active only if nothing is due, nothing is disabled and everything is enabled (any input)', () => {
    const cap = fc.constantFrom('active', 'inactive', 'pending', null) as fc.Arbitrary<'active' | 'inactive' | 'pending' | null>;
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        cap,
        cap,
        fc.array(fc.constantFrom('a', 'b'), { maxLength: 2 }),
        fc.option(fc.constantFrom('rejected.other', 'requirements.past_due')),
        (ch, po, sub, cp, tr, due, reason) => {
          const s = snapshot({
            chargesEnabled: ch,
            payoutsEnabled: po,
            detailsSubmitted: sub,
            capabilities: { cardPayments: cp, transfers: tr },
            requirements: { currentlyDue: due, disabledReason: reason },
          });
          const active = ch && po && sub && cp === 'active' && tr === 'active' && due.length === 0 && !reason;
          expect(toSellerStatus(s, false) === 'active').toBe(active);
        },
      ),
    );
  });
});

function stored(status: SellerAccount['status'] = 'pending'): SellerAccount {
  const a = new SellerAccount();
  Object.assign(a, {
    sellerId: 'seller-1',
    accountsApi: 'v1',
    stripeAccountId: 'acct_test',
    status,
    detailsSubmitted: false,
    chargesEnabled: false,
    payoutsEnabled: false,
    cardPaymentsCapability: null,
    transfersCapability: null,
    currentlyDue: [],
    eventuallyDue: [],
    pastDue: [],
    pendingVerification: [],
    currentDeadline: null,
    disabledReason: null,
    syncedFrom: null,
    syncedAt: null,
    disconnectedAt: null,
  });
  return a;
}

describe('SellerAccount.sync', () => {
  const t = (s: number) => new Date(1_700_000_000_000 + s * 1000);
  const restricted = snapshot({
    chargesEnabled: false,
    payoutsEnabled: false,
    capabilities: { cardPayments: 'inactive', transfers: 'inactive' },
    requirements: { currentlyDue: ['individual.verification.document'] },
  });

  it('stores the snapshot, its status and where it came from', () => {
    const a = stored();
    expect(a.sync(restricted, t(1), 'evt_1')).toBe(true);
    expect(a).toMatchObject({ status: 'restricted', currentlyDue: ['individual.verification.document'], syncedFrom: 'evt_1', syncedAt: t(1) });
  });

  it('refuses a snapshot read before the stored one: an older event worked last changes nothing', () => {
    const a = stored();
    a.sync(snapshot(), t(10), 'evt_new');
    expect(a.sync(restricted, t(5), 'evt_old')).toBe(false);
    expect(a).toMatchObject({ status: 'active', syncedFrom: 'evt_new', syncedAt: t(10) });
  });

  it('ends in the newest read whatever order the reads are applied in', () => {
    const reads = [restricted, snapshot(), snapshot({ requirements: { disabledReason: 'rejected.fraud' } }), snapshot({ detailsSubmitted: false })];
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          reads.map((s, i) => ({ s, i })),
          { minLength: 1 },
        ),
        (order) => {
          const a = stored();
          for (const { s, i } of order) a.sync(s, t(i), `evt_${i}`);
          const newest = Math.max(...order.map((o) => o.i));
          expect(a.status).toBe(toSellerStatus(reads[newest]!, false));
          expect(a.syncedFrom).toBe(`evt_${newest}`);
        },
      ),
    );
  });

  it('keeps a disconnected seller disconnected (sticky), also for newer reads', () => {
    const a = stored('active');
    expect(a.disconnect(t(1), 'evt_deauth')).toBe(true);
    expect(a.disconnect(t(2), 'evt_deauth_again')).toBe(false);
    a.sync(snapshot(), t(100), 'evt_later');
    expect(a.status).toBe('disconnected');
    expect(a.disconnectedAt).toEqual(t(1));
  });

  it('refuses a snapshot of another account', () => {
    expect(() => stored().sync(snapshot({ id: 'acct_other' }), t(1), 'api')).toThrow(/acct_other/);
  });
});

describe('gateProblems', () => {
  it('lets an active seller through for payments and payouts', () => {
    const a = stored();
    a.sync(snapshot(), new Date(), 'api');
    expect(gateProblems(a, 'payments')).toEqual([]);
    expect(gateProblems(a, 'payouts')).toEqual([]);
  });

  it('names a missing account', () => {
    expect(gateProblems(null, 'payments')).toEqual([expect.stringMatching(/no connected account/)]);
  });

  it('names what is due, the disabled reason and the capability statuses', () => {
    const a = stored();
    a.sync(
      snapshot({
        chargesEnabled: false,
        payoutsEnabled: false,
        capabilities: { cardPayments: 'inactive', transfers: 'pending' },
        requirements: { currentlyDue: ['individual.verification.document'], disabledReason: 'requirements.past_due' },
      }),
      new Date(),
      'api',
    );
    const problems = gateProblems(a, 'payments').join('\n');
    expect(problems).toMatch(/currently due: individual\.verification\.document/);
    expect(problems).toMatch(/requirements\.past_due/);
    expect(problems).toMatch(/card_payments capability is inactive/);
    expect(problems).toMatch(/transfers capability is pending/);
    expect(problems).toMatch(/charges are not enabled/);
  });

  it('names details not submitted, and disconnection', () => {
    const a = stored();
    a.sync(snapshot({ detailsSubmitted: false }), new Date(), 'api');
    expect(gateProblems(a, 'payouts').join()).toMatch(/details not submitted/);
    a.disconnect(new Date(), 'evt');
    expect(gateProblems(a, 'payouts')).toEqual([expect.stringMatching(/disconnected/)]);
  });
});
