import { payoutFailureReason, payoutRemedy } from './payout-remedies.js';

describe('payoutRemedy', () => {
  it.each(['account_closed', 'no_account', 'invalid_account_number', 'incorrect_account_holder_name', 'invalid_currency'])(
    '%s: the seller updates the bank account through the Express dashboard',
    (code) => {
      const remedy = payoutRemedy(code);
      expect(remedy.action).toBe('update_bank_account');
      expect(remedy.text).toMatch(/Express dashboard/);
      // Stripe refuses account_update links for such accounts: the remedy never sends the seller to one
      expect(remedy.text).not.toMatch(/onboarding link|account link/i);
    },
  );

  it('insufficient_funds: contact support (nothing to change at the bank)', () => {
    expect(payoutRemedy('insufficient_funds')).toMatchObject({ action: 'contact_support', text: expect.stringMatching(/support/) });
  });

  it.each(['account_frozen', 'bank_account_restricted', 'debit_not_authorized', 'declined'])('%s: the seller talks to their bank', (code) => {
    expect(payoutRemedy(code).action).toBe('contact_bank');
  });

  it('could_not_process: an admin retries', () => {
    expect(payoutRemedy('could_not_process').action).toBe('retry');
  });

  it('an unknown or missing code still says what to do, naming the code', () => {
    expect(payoutRemedy('some_new_code')).toMatchObject({ action: 'contact_support', text: expect.stringContaining('some_new_code') });
    expect(payoutRemedy(null).text).toMatch(/support/);
    expect(payoutRemedy('toString').action).toBe('contact_support');
  });

  it("the request's reason has Stripe's message and the remedy", () => {
    const reason = payoutFailureReason('account_closed', 'The bank account has been closed.');
    expect(reason).toMatch(/^Stripe: The bank account has been closed\./);
    expect(reason).toMatch(/Express dashboard/);
    expect(payoutFailureReason('no_account', null)).toBe(payoutRemedy('no_account').text);
  });
});
