import fc from 'fast-check';
import { matchTransaction } from './transaction-match.js';

const txn = (o: Partial<Parameters<typeof matchTransaction>[0]> = {}) => ({ id: 'txn_1', type: 'charge', amount: 10_000n, fee: 320n, applicationFee: 0n, net: 9_680n, currency: 'USD', ...o });
const ledger = (o: Partial<{ net: bigint; fee: bigint; currencies: string[]; entryIds: string[] }> = {}) => ({ net: 9_680n, fee: 320n, currencies: ['USD'], entryIds: ['e1'], ...o });

describe('matchTransaction', () => {
  it('matches the same net, fee and currency, with no tolerance', () => {
    expect(matchTransaction(txn(), ledger())).toEqual({ outcome: 'matched' });
    expect(matchTransaction(txn(), ledger({ net: 9_681n }))).toMatchObject({ outcome: 'discrepancy', kind: 'amount_mismatch', stripeAmount: 9_680n, ledgerAmount: 9_681n });
  });

  it('a transaction the ledger never saw is missing; a Stripe fee of its own kind is an unexpected fee; nothing moved is nothing missing', () => {
    expect(matchTransaction(txn(), null)).toMatchObject({ kind: 'missing_in_ledger', stripeAmount: 9_680n, ledgerAmount: null });
    expect(matchTransaction(txn({ type: 'stripe_fee', amount: -500n, fee: 0n, net: -500n }), null)).toMatchObject({ kind: 'unexpected_fee' });
    expect(matchTransaction(txn({ amount: 0n, fee: 0n, net: 0n }), null)).toEqual({ outcome: 'matched' });
  });

  it("Stripe's own fee against the ledger's fee accounts; an application fee inside a connected payment's fee is not Stripe's", () => {
    expect(matchTransaction(txn(), ledger({ fee: 300n }))).toMatchObject({ kind: 'unexpected_fee', stripeAmount: 320n, ledgerAmount: 300n });
    // the gross booked as cash and no fee: the money is wrong first, high severity, not a fee question
    expect(matchTransaction(txn(), ledger({ net: 10_000n, fee: 0n }))).toMatchObject({ kind: 'amount_mismatch', stripeAmount: 9_680n, ledgerAmount: 10_000n });
    const payment = txn({ type: 'payment', amount: 2_500n, fee: 250n, applicationFee: 250n, net: 2_250n });
    expect(matchTransaction(payment, ledger({ net: 2_250n, fee: 0n }))).toEqual({ outcome: 'matched' });
  });

  it('booked in another currency, or in several, is a currency mismatch', () => {
    expect(matchTransaction(txn(), ledger({ currencies: ['EUR'] }))).toMatchObject({ kind: 'currency_mismatch' });
    expect(matchTransaction(txn(), ledger({ currencies: ['EUR', 'USD'] }))).toMatchObject({ kind: 'currency_mismatch' });
  });

  it('for every amount: matched exactly when the ledger has the same net and Stripe fee in the same currency', () => {
    const minor = fc.bigInt({ min: -1_000_000_000_000n, max: 1_000_000_000_000n });
    fc.assert(
      fc.property(minor, minor, minor, minor, (amount, fee, ledgerNet, ledgerFee) => {
        const t = txn({ amount, fee, net: amount - fee });
        const verdict = matchTransaction(t, ledger({ net: ledgerNet, fee: ledgerFee }));
        expect(verdict.outcome === 'matched').toBe(ledgerNet === amount - fee && ledgerFee === fee);
      }),
    );
  });
});
