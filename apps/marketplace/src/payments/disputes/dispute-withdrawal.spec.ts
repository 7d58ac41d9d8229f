import { isInquiry, withdrawsFunds } from './disputes.service.js';

describe('when a dispute withdraws funds', () => {
  it('a new dispute withdraws; an inquiry does not', () => {
    expect(withdrawsFunds(null, 'needs_response')).toBe(true);
    expect(withdrawsFunds(null, 'warning_needs_response')).toBe(false);
    expect(withdrawsFunds(null, 'warning_closed')).toBe(false);
  });

  it('an inquiry escalated to a dispute withdraws then, once', () => {
    expect(withdrawsFunds('warning_needs_response', 'needs_response')).toBe(true);
    expect(withdrawsFunds('warning_under_review', 'under_review')).toBe(true);
    expect(withdrawsFunds('needs_response', 'under_review')).toBe(false);
    expect(withdrawsFunds('under_review', 'won')).toBe(false);
  });

  it('recognises every Stripe inquiry status', () => {
    for (const s of ['warning_needs_response', 'warning_under_review', 'warning_closed']) expect(isInquiry(s)).toBe(true);
    for (const s of ['needs_response', 'under_review', 'won', 'lost', 'prevented']) expect(isInquiry(s)).toBe(false);
  });
});
