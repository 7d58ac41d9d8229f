/** What the seller can do about a failed payout, and who acts. */
export interface PayoutRemedy {
  /** seller: they fix it (their bank details); support: they contact the platform; retry: an admin may simply try again. */
  action: 'update_bank_account' | 'contact_bank' | 'contact_support' | 'retry';
  /** The words shown on the seller's request. */
  text: string;
}

// Accounts whose bank account Stripe rejected cannot be sent an account_update link for it: the
// Express dashboard (login link) is where the seller changes it.
const UPDATE_BANK = (why: string): PayoutRemedy => ({
  action: 'update_bank_account',
  text: `${why} Update your bank account in your Express dashboard (Payouts -> Bank account, through the dashboard link on your seller page); a platform admin then retries the payout.`,
});

const CONTACT_BANK = (why: string): PayoutRemedy => ({
  action: 'contact_bank',
  text: `${why} Ask your bank to accept the payout, or update your bank account in your Express dashboard; a platform admin then retries the payout.`,
});

/**
 * Stripe's payout failure codes (docs.stripe.com/api/payouts/failures) mapped to a remedy in
 * words. An unknown code gets a generic remedy naming it, never nothing.
 */
const REMEDIES: Record<string, PayoutRemedy> = {
  account_closed: UPDATE_BANK('Your bank account has been closed.'),
  no_account: UPDATE_BANK('Your bank could not find the bank account (the account number may be wrong).'),
  invalid_account_number: UPDATE_BANK('The bank account number is not valid.'),
  invalid_account_number_length: UPDATE_BANK('The bank account number has the wrong length.'),
  incorrect_account_holder_name: UPDATE_BANK('The account holder name does not match the bank account.'),
  incorrect_account_holder_address: UPDATE_BANK("The account holder's address does not match the bank account."),
  incorrect_account_holder_tax_id: UPDATE_BANK("The account holder's tax ID does not match the bank account."),
  incorrect_account_type: UPDATE_BANK('The bank account type is not right for payouts (e.g. a savings account where a checking account is needed).'),
  bank_ownership_changed: UPDATE_BANK('The bank account now belongs to another bank or owner.'),
  invalid_currency: UPDATE_BANK("Your bank account cannot receive this payout's currency: add a bank account in that currency."),
  unsupported_card: UPDATE_BANK('The debit card cannot receive payouts: add a bank account or another card.'),
  account_frozen: CONTACT_BANK('Your bank account is frozen.'),
  bank_account_restricted: CONTACT_BANK('Your bank account restricts the payments it accepts.'),
  debit_not_authorized: CONTACT_BANK('Your bank refused a debit it was not authorized for.'),
  declined: CONTACT_BANK('Your bank declined the payout.'),
  insufficient_funds: {
    action: 'contact_support',
    text: "The payout failed because the account's Stripe balance could not cover it. Contact the platform's support: nothing is needed from your bank.",
  },
  could_not_process: {
    action: 'retry',
    text: 'Your bank could not process the payout. The funds are back in your balance; a platform admin retries the payout (contact support if it fails again).',
  },
};

export function payoutRemedy(failureCode: string | null | undefined): PayoutRemedy {
  if (failureCode && Object.hasOwn(REMEDIES, failureCode)) return REMEDIES[failureCode]!;
  return {
    action: 'contact_support',
    text: `The payout failed${failureCode ? ` (${failureCode})` : ''}. The funds are back in your balance; contact the platform's support, who will check your bank details with you and retry the payout.`,
  };
}

/** The words on a request whose payout failed: what happened (Stripe's message) and what to do. */
export function payoutFailureReason(failureCode: string | null, failureMessage: string | null): string {
  const remedy = payoutRemedy(failureCode);
  const what = failureMessage ? `Stripe: ${failureMessage}` : null;
  return [what, remedy.text].filter(Boolean).join(' ');
}
