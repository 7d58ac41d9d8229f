import type { AccountV2Snapshot, V2Capability, V2RequirementEntry } from '@app/stripe';
import { SellerAccount } from './seller-account.entity.js';
import { gateProblems, toAccountView, toSellerStatus } from './seller-status.js';

// The Accounts v2 shapes a seller's account goes through, as GET /v2/core/accounts/:id answers them
// with configuration.recipient / configuration.merchant and requirements included.

const active: V2Capability = { status: 'active', reasons: [] };
const cap = (status: V2Capability['status'], ...reasons: string[]): V2Capability => ({ status, reasons });

function entry(description: string, deadlineStatus: V2RequirementEntry['deadlineStatus'], awaitingActionFrom: V2RequirementEntry['awaitingActionFrom'] = 'user'): V2RequirementEntry {
  return { description, awaitingActionFrom, deadlineStatus, restricts: [{ configuration: 'recipient', capability: 'stripe_balance.stripe_transfers', deadlineStatus }] };
}

function v2(over: Partial<AccountV2Snapshot> = {}): AccountV2Snapshot {
  return {
    api: 'v2',
    id: 'acct_v2',
    contactEmail: 'seller@example.com',
    displayName: 'Acme',
    country: 'US',
    closed: false,
    dashboard: 'express',
    merchant: null,
    recipient: { applied: true, stripeTransfers: active, payouts: active },
    requirements: { entries: [], minimumDeadline: null },
    metadata: {},
    created: new Date(0),
    ...over,
  };
}

const fresh = v2({
  recipient: { applied: true, stripeTransfers: cap('restricted', 'requirements_past_due'), payouts: cap('restricted', 'requirements_past_due') },
  requirements: { entries: [entry('identity.individual.given_name', 'past_due'), entry('payout_method', 'past_due')], minimumDeadline: null },
});

describe('toSellerStatus of an Accounts v2 account', () => {
  it('a recipient with stripe_transfers and payouts active, nothing due: active, and charges (as a destination) enabled', () => {
    expect(toSellerStatus(v2(), false)).toBe('active');
    expect(toAccountView(v2())).toMatchObject({ chargesEnabled: true, payoutsEnabled: true, detailsSubmitted: true, capabilities: { cardPayments: null, transfers: 'active' } });
  });

  it('just created (entries past due awaiting the seller, capabilities restricted): pending, with what is due and why', () => {
    expect(toSellerStatus(fresh, false)).toBe('pending');
    expect(toAccountView(fresh)).toMatchObject({
      detailsSubmitted: false,
      chargesEnabled: false,
      payoutsEnabled: false,
      capabilities: { transfers: 'restricted', cardPayments: null },
      requirements: { pastDue: ['identity.individual.given_name', 'payout_method'], currentlyDue: [], disabledReason: 'requirements.past_due' },
    });
  });

  it('currently due entries with their deadline: the deadline is the summary minimum deadline', () => {
    const deadline = new Date('2026-12-31T00:00:00Z');
    const a = v2({ requirements: { entries: [entry('identity.individual.id_number', 'currently_due')], minimumDeadline: deadline } });
    expect(toAccountView(a).requirements).toMatchObject({ currentlyDue: ['identity.individual.id_number'], eventuallyDue: ['identity.individual.id_number'], currentDeadline: deadline });
    expect(toSellerStatus(a, false)).toBe('pending');
  });

  it('only eventually due, capabilities active: active (nothing is needed now)', () => {
    const a = v2({ requirements: { entries: [entry('identity.individual.id_number', 'eventually_due')], minimumDeadline: null } });
    expect(toSellerStatus(a, false)).toBe('active');
    expect(toAccountView(a).requirements.eventuallyDue).toEqual(['identity.individual.id_number']);
  });

  it('submitted but Stripe still verifying (entry awaiting stripe, capability pending): restricted, pending verification', () => {
    const a = v2({
      recipient: { applied: true, stripeTransfers: cap('pending', 'requirements_pending_verification'), payouts: cap('pending', 'requirements_pending_verification') },
      requirements: { entries: [entry('identity.individual.verification.document', 'currently_due', 'stripe')], minimumDeadline: null },
    });
    expect(toAccountView(a)).toMatchObject({
      detailsSubmitted: true,
      requirements: { pendingVerification: ['identity.individual.verification.document'], currentlyDue: [], disabledReason: 'requirements.pending_verification' },
    });
    expect(toSellerStatus(a, false)).toBe('restricted');
  });

  it('payouts restricted (no payout method) while transfers are active: restricted', () => {
    const a = v2({ recipient: { applied: true, stripeTransfers: active, payouts: cap('restricted', 'requirements_past_due') } });
    expect(toAccountView(a)).toMatchObject({ chargesEnabled: true, payoutsEnabled: false });
    expect(toSellerStatus(a, false)).toBe('restricted');
  });

  it('a rejected capability: rejected, with a v1-style reason', () => {
    const a = v2({ recipient: { applied: true, stripeTransfers: cap('rejected', 'rejected_fraud'), payouts: cap('rejected', 'rejected_fraud') } });
    expect(toAccountView(a).requirements.disabledReason).toBe('rejected.fraud');
    expect(toSellerStatus(a, false)).toBe('rejected');
  });

  it('closed: disconnected', () => {
    expect(toSellerStatus(v2({ closed: true }), false)).toBe('disconnected');
  });

  it('a recipient configuration switched off (applied false) needs nothing from it: not active', () => {
    expect(toSellerStatus(v2({ recipient: { applied: false, stripeTransfers: active, payouts: active } }), false)).toBe('restricted');
  });

  describe('with the merchant configuration (CHECKOUT_ON_BEHALF_OF)', () => {
    const merchant = (cardPayments: V2Capability) => v2({ merchant: { applied: true, cardPayments, payouts: active }, recipient: { applied: true, stripeTransfers: active, payouts: null } });

    it('card_payments active: active, charges enabled by card_payments', () => {
      expect(toSellerStatus(merchant(active), false)).toBe('active');
      expect(toAccountView(merchant(active))).toMatchObject({ chargesEnabled: true, payoutsEnabled: true, capabilities: { cardPayments: 'active', transfers: 'active' } });
    });

    it('card_payments restricted: restricted, charges not enabled', () => {
      const a = merchant(cap('restricted', 'requirements_past_due'));
      expect(toSellerStatus(a, false)).toBe('restricted');
      expect(toAccountView(a)).toMatchObject({ chargesEnabled: false, requirements: { disabledReason: 'requirements.past_due' } });
    });
  });
});

describe('a v2 seller account stored and gated', () => {
  function stored(): SellerAccount {
    const a = new SellerAccount();
    Object.assign(a, { sellerId: 'seller-2', accountsApi: 'v2', stripeAccountId: 'acct_v2', status: 'pending', disconnectedAt: null, syncedAt: null });
    return a;
  }

  it('an active recipient passes the gate without card_payments (it was never requested)', () => {
    const a = stored();
    a.sync(v2(), new Date(1000), 'evt_1');
    expect(a).toMatchObject({ status: 'active', cardPaymentsCapability: null, transfersCapability: 'active', chargesEnabled: true, payoutsEnabled: true, detailsSubmitted: true });
    expect(gateProblems(a, 'payments')).toEqual([]);
    expect(gateProblems(a, 'payouts')).toEqual([]);
  });

  it('a pending one is refused with what is due', () => {
    const a = stored();
    a.sync(fresh, new Date(1000), 'api');
    expect(gateProblems(a, 'payments').join('\n')).toMatch(/past due: identity\.individual\.given_name, payout_method/);
  });

  it('an older read never rolls it back; a v1 snapshot is refused', () => {
    const a = stored();
    expect(a.sync(v2(), new Date(2000), 'evt_new')).toBe(true);
    expect(a.sync(fresh, new Date(1000), 'evt_old')).toBe(false);
    expect(a.status).toBe('active');
    const v1 = { ...toAccountView(v2()), id: 'acct_v2', email: null, country: 'US', metadata: {}, created: new Date(0) };
    expect(() => a.sync(v1, new Date(3000), 'evt_v1')).toThrow(/v1 snapshot/);
  });

  it('closed: disconnected from the read on', () => {
    const a = stored();
    a.sync(v2({ closed: true }), new Date(5000), 'evt_closed');
    expect(a).toMatchObject({ status: 'disconnected', disconnectedAt: new Date(5000) });
  });
});
