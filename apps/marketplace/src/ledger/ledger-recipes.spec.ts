import { computeFee, Money } from '@app/money';
import fc from 'fast-check';
import { assertPostableLines, isBalanced, totalsByCurrency, type LedgerLineInput } from './ledger-lines.js';
import {
  applicationFeeLines,
  destinationChargeLines,
  disputeRecoveryLines,
  disputeWithdrawalLines,
  disputeWonLines,
  fundsAvailableLines,
  paidDestinationChargeLines,
  refundLines,
  sellerPayoutLines,
  stripeProcessingFeeLines,
} from './ledger-recipes.js';

const SELLER = '0b6a4c1e-2f3d-4a5b-8c7d-9e0f1a2b3c4d';
const usd = (minor: bigint) => Money.of(minor, 'USD');

/** Balance of one account on the lines, on its signed (debit positive) side. */
function signed(lines: LedgerLineInput[], account: string, sellerId?: string): bigint {
  return lines.filter((l) => l.account === account && (sellerId === undefined || l.sellerId === sellerId)).reduce((s, l) => s + l.amount.minor, 0n);
}

const currencies = fc.constantFrom('USD', 'EUR', 'JPY', 'KWD', 'GBP');
const chargeArb = fc
  .record({
    currency: currencies,
    gross: fc.bigInt({ min: 1n, max: 99_999_999n }),
    bps: fc.integer({ min: 0, max: 10_000 }),
    fixed: fc.bigInt({ min: 0n, max: 5_000n }),
    stripeFeeBps: fc.integer({ min: 0, max: 1_000 }),
  })
  .map(({ currency, gross, bps, fixed, stripeFeeBps }) => {
    const grossMoney = Money.of(gross, currency);
    return {
      gross: grossMoney,
      applicationFee: computeFee(grossMoney, { basisPoints: bps, fixed }),
      stripeFee: computeFee(grossMoney, { basisPoints: stripeFeeBps, fixed: 0n }),
    };
  });

describe('ledger recipes', () => {
  it('books a paid destination charge: seller owed gross - fee, platform earned fee, Stripe fee an expense', () => {
    const lines = paidDestinationChargeLines({ gross: usd(10_000n), applicationFee: usd(1_000n), stripeFee: usd(320n), sellerId: SELLER });
    assertPostableLines(lines);
    expect(signed(lines, 'seller_payable_pending', SELLER)).toBe(-9_000n);
    expect(signed(lines, 'platform_fee_revenue')).toBe(-1_000n);
    expect(signed(lines, 'stripe_processing_fees')).toBe(320n);
    expect(signed(lines, 'platform_cash_pending')).toBe(9_680n);
  });

  it('leaves zero parts out (no fee, no Stripe fee)', () => {
    const lines = paidDestinationChargeLines({ gross: usd(500n), applicationFee: usd(0n), stripeFee: usd(0n), sellerId: SELLER });
    expect(lines).toHaveLength(2);
    assertPostableLines(lines);
  });

  it('books a refund with reverse_transfer and application-fee refund: seller bears refund - fee refund', () => {
    const lines = refundLines({ refund: usd(5_000n), applicationFeeRefund: usd(500n), sellerId: SELLER });
    assertPostableLines(lines);
    expect(signed(lines, 'platform_cash_available')).toBe(-5_000n);
    expect(signed(lines, 'seller_payable_available', SELLER)).toBe(4_500n);
    expect(signed(lines, 'platform_fee_refunds')).toBe(500n);
  });

  it('books a refund the seller was not reversed for as the platform bearing it', () => {
    const none = refundLines({ refund: usd(3_000n), applicationFeeRefund: usd(300n), sellerId: SELLER, reversed: usd(0n) });
    assertPostableLines(none);
    expect(signed(none, 'platform_cash_available')).toBe(-3_000n);
    expect(signed(none, 'refund_losses')).toBe(3_000n);
    // the fee refund still went to the seller's account
    expect(signed(none, 'seller_payable_available', SELLER)).toBe(-300n);
    const partly = refundLines({ refund: usd(3_000n), applicationFeeRefund: usd(0n), sellerId: SELLER, reversed: usd(1_000n) });
    assertPostableLines(partly);
    expect(signed(partly, 'seller_payable_available', SELLER)).toBe(1_000n);
    expect(signed(partly, 'refund_losses')).toBe(2_000n);
    expect(() => refundLines({ refund: usd(100n), applicationFeeRefund: usd(0n), sellerId: SELLER, reversed: usd(101n) })).toThrow(/exceed/);
  });

  it('books a dispute withdrawal, a recovery from the seller and a win', () => {
    const withdrawal = disputeWithdrawalLines({ amount: usd(10_000n), disputeFee: usd(1_500n) });
    const recovery = disputeRecoveryLines({ amount: usd(9_000n), sellerId: SELLER });
    const won = disputeWonLines({ amount: usd(10_000n) });
    for (const lines of [withdrawal, recovery, won]) assertPostableLines(lines);
    expect(signed(withdrawal, 'platform_cash_available')).toBe(-11_500n);
    expect(signed(recovery, 'seller_payable_available', SELLER)).toBe(9_000n);
    expect(signed([...withdrawal, ...won], 'dispute_funds_withdrawn')).toBe(0n);
  });

  it('books a payout and funds becoming available', () => {
    assertPostableLines(sellerPayoutLines({ amount: usd(9_000n), sellerId: SELLER }));
    const available = fundsAvailableLines({ cash: usd(9_680n), sellerId: SELLER, sellerShare: usd(9_000n) });
    assertPostableLines(available);
    expect(signed(available, 'seller_payable_available', SELLER)).toBe(-9_000n);
  });

  it('refuses impossible inputs', () => {
    expect(() => destinationChargeLines({ gross: usd(0n), sellerId: SELLER })).toThrow(/positive/);
    expect(() => applicationFeeLines({ fee: usd(-1n), sellerId: SELLER })).toThrow(/negative/);
    expect(() => stripeProcessingFeeLines({ stripeFee: usd(-1n) })).toThrow(/negative/);
    expect(() => paidDestinationChargeLines({ gross: usd(100n), applicationFee: usd(101n), sellerId: SELLER })).toThrow(/exceed/);
    expect(() => paidDestinationChargeLines({ gross: usd(100n), applicationFee: Money.of(1n, 'EUR'), sellerId: SELLER })).toThrow(/mismatch/i);
    expect(() => refundLines({ refund: usd(100n), applicationFeeRefund: usd(101n), sellerId: SELLER })).toThrow(/exceed/);
  });

  it('property: every charge balances, and fee + seller share = gross', () => {
    fc.assert(
      fc.property(chargeArb, ({ gross, applicationFee, stripeFee }) => {
        const lines = paidDestinationChargeLines({ gross, applicationFee, stripeFee, sellerId: SELLER });
        assertPostableLines(lines);
        const sellerShare = -signed(lines, 'seller_payable_pending', SELLER);
        const fee = -signed(lines, 'platform_fee_revenue');
        expect(fee).toBe(applicationFee.minor);
        expect(fee + sellerShare).toBe(gross.minor);
        expect(fee >= 0n && sellerShare >= 0n).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('property: refunds, disputes, availability and payouts balance for every amount', () => {
    fc.assert(
      fc.property(currencies, fc.bigInt({ min: 1n, max: 99_999_999n }), fc.bigInt({ min: 0n, max: 99_999_999n }), (currency, a, b) => {
        const big = Money.of(a > b ? a : b === 0n ? a : b, currency);
        const small = Money.of(a > b ? b : a, currency);
        const all = [
          refundLines({ refund: big, applicationFeeRefund: small.min(big), sellerId: SELLER }),
          disputeWithdrawalLines({ amount: big, disputeFee: small }),
          disputeRecoveryLines({ amount: big, sellerId: SELLER }),
          disputeWonLines({ amount: big }),
          fundsAvailableLines({ cash: big, sellerId: SELLER, sellerShare: small }),
          sellerPayoutLines({ amount: big, sellerId: SELLER }),
        ];
        for (const lines of all) {
          expect(isBalanced(lines)).toBe(true);
          expect(Object.keys(totalsByCurrency(lines))).toEqual([currency]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('assertPostableLines', () => {
  it('refuses an unbalanced entry with LEDGER.UNBALANCED and the totals', () => {
    const lines: LedgerLineInput[] = [
      { account: 'platform_cash_pending', amount: usd(100n) },
      { account: 'platform_fee_revenue', amount: usd(-99n) },
    ];
    expect(() => assertPostableLines(lines)).toThrow(expect.objectContaining({ code: 'LEDGER.UNBALANCED', details: { totals: { USD: '1' } } }));
  });

  it('balances per currency: USD and JPY lines that each sum to zero pass; a cross-currency "balance" does not', () => {
    const ok: LedgerLineInput[] = [
      { account: 'platform_cash_pending', amount: usd(100n) },
      { account: 'platform_fee_revenue', amount: usd(-100n) },
      { account: 'platform_cash_pending', amount: Money.of(100n, 'JPY') },
      { account: 'platform_fee_revenue', amount: Money.of(-100n, 'JPY') },
    ];
    expect(() => assertPostableLines(ok)).not.toThrow();
    const crossed: LedgerLineInput[] = [
      { account: 'platform_cash_pending', amount: usd(100n) },
      { account: 'platform_fee_revenue', amount: Money.of(-100n, 'JPY') },
    ];
    expect(() => assertPostableLines(crossed)).toThrow(expect.objectContaining({ code: 'LEDGER.UNBALANCED' }));
  });

  it('refuses one line, zero lines, unknown accounts and misplaced seller ids', () => {
    expect(() => assertPostableLines([{ account: 'platform_cash_pending', amount: usd(0n) }])).toThrow(expect.objectContaining({ code: 'LEDGER.TOO_FEW_LINES' }));
    const zero: LedgerLineInput[] = [
      { account: 'platform_cash_pending', amount: usd(0n) },
      { account: 'platform_fee_revenue', amount: usd(0n) },
    ];
    expect(() => assertPostableLines(zero)).toThrow(expect.objectContaining({ code: 'LEDGER.ZERO_LINE' }));
    const unknown = [
      { account: 'cash', amount: usd(1n) },
      { account: 'platform_fee_revenue', amount: usd(-1n) },
    ] as unknown as LedgerLineInput[];
    expect(() => assertPostableLines(unknown)).toThrow(expect.objectContaining({ code: 'LEDGER.UNKNOWN_ACCOUNT' }));
    const noSeller: LedgerLineInput[] = [
      { account: 'seller_payable_pending', amount: usd(1n) },
      { account: 'platform_fee_revenue', amount: usd(-1n) },
    ];
    expect(() => assertPostableLines(noSeller)).toThrow(expect.objectContaining({ code: 'LEDGER.SELLER_REQUIRED' }));
    const sellerOnPlatform: LedgerLineInput[] = [
      { account: 'platform_cash_pending', amount: usd(1n), sellerId: SELLER },
      { account: 'platform_fee_revenue', amount: usd(-1n) },
    ];
    expect(() => assertPostableLines(sellerOnPlatform)).toThrow(expect.objectContaining({ code: 'LEDGER.SELLER_NOT_ALLOWED' }));
  });
});
