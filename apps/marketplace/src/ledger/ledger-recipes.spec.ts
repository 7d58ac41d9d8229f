import { amountGranularity, computeFee, Money } from '@app/money';
import fc from 'fast-check';
import { accountOf, destinationChargeLines, destinationRefundLines, movement, payoutLines, txn } from '../../../../test/factories/stripe-movements.factory.js';
import { assertPostableLines, isBalanced, totalsByCurrency, type LedgerLineInput } from './ledger-lines.js';
import {
  disputeRecoveryLines,
  disputeReturnLines,
  disputeTransactionLines,
  fundsAvailableLines,
  orderTransferLines,
  paidSeparateChargeLines,
  debtNettingLines,
  refundFailedLines,
  returnReversalLines,
  sellerDebtLines,
  separateChargeRefundFailedLines,
  separateChargeRefundFailedSellerLines,
  separateChargeRefundLines,
  transferLines,
} from './ledger-recipes.js';

const SELLER = '0b6a4c1e-2f3d-4a5b-8c7d-9e0f1a2b3c4d';
const OTHER = '1c7b5d2f-3e4a-4b6c-9d8e-0f1a2b3c4d5e';
const seller = { kind: 'connected' as const, sellerId: SELLER, account: accountOf(SELLER) };
const usd = (minor: bigint) => Money.of(minor, 'USD');

/** Balance of one account on the lines, on its signed (debit positive) side. */
function signed(lines: LedgerLineInput[], account: string, sellerId?: string): bigint {
  return lines.filter((l) => l.account === account && (sellerId === undefined || l.sellerId === sellerId)).reduce((s, l) => s + l.amount.minor, 0n);
}
const cashOf = (lines: LedgerLineInput[], prefix: 'platform' | 'connected', sellerId?: string) =>
  signed(lines, `${prefix}_cash_pending`, sellerId) + signed(lines, `${prefix}_cash_available`, sellerId);

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
      applicationFee: computeFee(grossMoney, { basisPoints: bps, fixed: fixed * amountGranularity(currency) }),
      stripeFee: computeFee(grossMoney, { basisPoints: stripeFeeBps, fixed: 0n }),
    };
  });

describe('ledger recipes (booked from Stripe balance transactions)', () => {
  it('a destination charge: each Stripe balance gets what Stripe put in it; the seller is owed what their balance received', () => {
    const lines = destinationChargeLines({ gross: usd(10_000n), applicationFee: usd(1_000n), stripeFee: usd(320n), sellerId: SELLER });
    assertPostableLines(lines);
    // platform: charge net 9680 - transfer 10000 + application fee 1000 = 680, pending
    expect(signed(lines, 'platform_cash_pending')).toBe(680n);
    expect(signed(lines, 'connected_cash_pending', SELLER)).toBe(9_000n);
    expect(signed(lines, 'seller_payable_pending', SELLER)).toBe(-9_000n);
    expect(signed(lines, 'platform_fee_revenue')).toBe(-1_000n);
    expect(signed(lines, 'stripe_processing_fees')).toBe(320n);
    // every cash line names the Stripe object, its balance transaction and the balance it sits in
    for (const l of lines.filter((x) => x.account.includes('_cash_'))) {
      expect(l.stripe).toMatchObject({ objectId: expect.stringMatching(/^(ch|tr|fee|py)_/), balanceTransactionId: expect.stringMatching(/^txn_/) });
      expect(l.stripe!.account).toBe(l.account.startsWith('connected') ? seller.account : null);
    }
  });

  it('books funds Stripe already reports available into the available accounts', () => {
    const lines = destinationChargeLines({ gross: usd(500n), applicationFee: usd(0n), sellerId: SELLER, status: 'available' });
    assertPostableLines(lines);
    expect(signed(lines, 'platform_cash_pending') + signed(lines, 'connected_cash_pending', SELLER)).toBe(0n);
    expect(signed(lines, 'connected_cash_available', SELLER)).toBe(500n);
    expect(signed(lines, 'seller_payable_available', SELLER)).toBe(-500n);
  });

  it('a refund: the seller bears what the reversal took minus the fee refunded; the platform the fee refund and what was not reversed', () => {
    const full = destinationRefundLines({ refund: usd(5_000n), reversed: usd(5_000n), feeRefund: usd(500n), sellerId: SELLER });
    assertPostableLines(full);
    expect(cashOf(full, 'platform')).toBe(-5_000n + 5_000n - 500n);
    expect(cashOf(full, 'connected', SELLER)).toBe(-4_500n);
    expect(signed(full, 'seller_payable_available', SELLER)).toBe(4_500n);
    expect(signed(full, 'platform_fee_refunds')).toBe(500n);
    const none = destinationRefundLines({ refund: usd(3_000n), reversed: usd(0n), feeRefund: usd(300n), sellerId: SELLER });
    assertPostableLines(none);
    expect(signed(none, 'refund_losses')).toBe(3_000n);
    // the fee refund still went to the seller's balance
    expect(cashOf(none, 'connected', SELLER)).toBe(300n);
    expect(signed(none, 'seller_payable_available', SELLER)).toBe(-300n);
  });

  it('a refund failing after it succeeded: the money is back, the seller is owed again what they bore', () => {
    const failed = refundFailedLines({ sellerId: SELLER, failure: movement('re', txn(4_000n, 'USD', { status: 'available' })), reversed: 4_000n, feeReturned: 400n });
    assertPostableLines(failed);
    expect(cashOf(failed, 'platform')).toBe(4_000n);
    expect(signed(failed, 'seller_payable_available', SELLER)).toBe(-3_600n);
    expect(signed(failed, 'platform_fee_refunds')).toBe(-400n);
    const back = transferLines({ seller, transfer: movement('tr', txn(-3_600n, 'USD', { status: 'available' })), payment: movement('py', txn(3_600n, 'USD', { status: 'available' })) });
    assertPostableLines(back);
    expect(cashOf(back, 'connected', SELLER)).toBe(3_600n);
    expect(signed(back, 'seller_payable_available', SELLER)).toBe(0n);
  });

  it('disputes per balance transaction: withdrawal, recovery from the seller, reinstatement, return', () => {
    const withdrawal = disputeTransactionLines({ dispute: movement('dp', { ...txn(-11_500n, 'USD', { status: 'available' }), amount: -10_000n, fee: 1_500n }) });
    const recovery = disputeRecoveryLines({
      seller,
      reversal: { platform: movement('trr', txn(9_000n, 'USD', { status: 'available' })), connected: movement('pyr', txn(-9_000n, 'USD', { status: 'available' })) },
    });
    const won = disputeTransactionLines({ dispute: movement('dp', { ...txn(11_500n, 'USD', { status: 'available' }), amount: 10_000n, fee: -1_500n }) });
    const back = disputeReturnLines({ seller, transfer: movement('tr', txn(-9_000n, 'USD')), payment: movement('py', txn(9_000n, 'USD')) });
    for (const lines of [withdrawal, recovery, won, back]) assertPostableLines(lines);
    expect(cashOf(withdrawal, 'platform')).toBe(-11_500n);
    expect(signed(withdrawal, 'dispute_funds_withdrawn')).toBe(10_000n);
    expect(signed(withdrawal, 'dispute_fees')).toBe(1_500n);
    const all = [...withdrawal, ...recovery, ...won, ...back];
    expect(signed(all, 'dispute_funds_withdrawn') + signed(all, 'dispute_fees') + signed(all, 'dispute_recoveries')).toBe(0n);
    expect(signed(all, 'seller_payable_available', SELLER) + signed(all, 'seller_payable_pending', SELLER)).toBe(0n);
    // the return came with a source_transaction: pending on the seller's side until the charge's funds are
    expect(signed(back, 'connected_cash_pending', SELLER)).toBe(9_000n);
    expect(signed(back, 'seller_payable_pending', SELLER)).toBe(-9_000n);
  });

  it("DISPUTE_RECOVERY=seller_share: the seller loses what they netted (reversal - fee refund); a won dispute makes them whole and the fee the platform's again", () => {
    // a charge of 8000 with a fee of 800: the seller netted 7200
    const charge = destinationChargeLines({ gross: usd(8_000n), applicationFee: usd(800n), stripeFee: usd(262n), sellerId: SELLER });
    const withdrawal = disputeTransactionLines({ dispute: movement('dp', { ...txn(-9_500n, 'USD', { status: 'available' }), amount: -8_000n, fee: 1_500n }) });
    const recovery = disputeRecoveryLines({
      seller,
      reversal: { platform: movement('trr', txn(8_000n, 'USD', { status: 'available' })), connected: movement('pyr', txn(-8_000n, 'USD', { status: 'available' })) },
      feeRefunds: [movement('fr', txn(-800n, 'USD', { status: 'available' }))],
    });
    assertPostableLines(recovery);
    expect(signed(recovery, 'seller_payable_available', SELLER)).toBe(7_200n);
    expect(cashOf(recovery, 'connected', SELLER)).toBe(-7_200n);
    expect(cashOf(recovery, 'platform')).toBe(7_200n);
    expect(signed(recovery, 'platform_fee_refunds')).toBe(800n);
    const won = disputeTransactionLines({ dispute: movement('dp', { ...txn(9_500n, 'USD', { status: 'available' }), amount: 8_000n, fee: -1_500n }) });
    const back = disputeReturnLines({ seller, transfer: movement('tr', txn(-7_200n, 'USD')), payment: movement('py', txn(7_200n, 'USD')), feeRefunded: 800n });
    assertPostableLines(back);
    const all = [...charge, ...withdrawal, ...recovery, ...won, ...back];
    // the seller is whole again, the platform earned its fee, the dispute left nothing behind
    expect(signed(all, 'seller_payable_available', SELLER) + signed(all, 'seller_payable_pending', SELLER)).toBe(-7_200n);
    expect(signed(all, 'platform_fee_refunds')).toBe(0n);
    expect(signed(all, 'platform_fee_revenue')).toBe(-800n);
    expect(signed(all, 'dispute_funds_withdrawn') + signed(all, 'dispute_fees') + signed(all, 'dispute_recoveries')).toBe(0n);
  });

  it("a return transfer reversed for a later refund: the seller bears it, the platform's refund loss shrinks by it", () => {
    const lines = returnReversalLines({
      seller,
      reversal: { platform: movement('trr', txn(3_000n, 'USD', { status: 'available' })), connected: movement('pyr', txn(-3_000n, 'USD', { status: 'available' })) },
    });
    assertPostableLines(lines);
    expect(cashOf(lines, 'platform')).toBe(3_000n);
    expect(cashOf(lines, 'connected', SELLER)).toBe(-3_000n);
    expect(signed(lines, 'seller_payable_available', SELLER)).toBe(3_000n);
    expect(signed(lines, 'refund_losses')).toBe(-3_000n);
  });

  it('a multi-seller charge: the platform holds the net, each seller is owed their share', () => {
    const lines = paidSeparateChargeLines({
      charge: movement('ch', txn(4_000n - 146n, 'USD', { fee: 146n })),
      sellers: [
        { sellerId: SELLER, share: usd(900n), fee: usd(100n) },
        { sellerId: OTHER, share: usd(2_700n), fee: usd(300n) },
      ],
    });
    assertPostableLines(lines);
    expect(cashOf(lines, 'platform')).toBe(3_854n);
    expect(signed(lines, 'seller_payable_pending', OTHER)).toBe(-2_700n);
  });

  it('a multi-seller charge whose sellers bear Stripe fee owes them that much less; the platform bears none of it', () => {
    const lines = paidSeparateChargeLines({
      charge: movement('ch', txn(4_000n - 146n, 'USD', { fee: 146n })),
      sellers: [
        { sellerId: SELLER, share: usd(900n), fee: usd(100n), stripeFee: usd(37n) },
        { sellerId: OTHER, share: usd(2_700n), fee: usd(300n), stripeFee: usd(109n) },
      ],
    });
    assertPostableLines(lines);
    expect(signed(lines, 'stripe_processing_fees')).toBe(0n);
    expect(signed(lines, 'seller_payable_pending', SELLER)).toBe(-863n);
    expect(signed(lines, 'platform_fee_revenue')).toBe(-400n);
  });

  it("an order's transfer moves cash between balances and the seller's payable from platform-held to their py_ payment's side", () => {
    for (const status of ['pending', 'available'] as const) {
      const lines = orderTransferLines({ seller, transfer: movement('tr', txn(-900n, 'USD', { status })), payment: movement('py', txn(900n, 'USD', { status })) });
      assertPostableLines(lines);
      expect(cashOf(lines, 'platform')).toBe(-900n);
      expect(cashOf(lines, 'connected', SELLER)).toBe(900n);
      // what the seller is owed in all does not change; it now follows the py_ payment
      expect(signed(lines, 'seller_payable_pending', SELLER) + signed(lines, 'seller_payable_available', SELLER)).toBe(0n);
      const followsPayment = lines.filter((l) => l.account.startsWith('seller_payable') && l.stripe?.objectId.startsWith('py'));
      expect(followsPayment.map((l) => [l.account, l.amount.minor])).toEqual([[status === 'available' ? 'seller_payable_available' : 'seller_payable_pending', -900n]]);
    }
  });

  it('for all multi-seller charges and transfers: every entry balances, and once transferred each seller is owed what their balance received', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ share: fc.bigInt({ min: 1n, max: 1_000_000n }), fee: fc.bigInt({ min: 0n, max: 100_000n }) }), { minLength: 1, maxLength: 5 }),
        fc.bigInt({ min: 0n, max: 10_000n }),
        (rows, stripeFee) => {
          const sellers = rows.map((r, i) => ({
            sellerId: i === 0 ? SELLER : OTHER.replace(/.$/, String(i)),
            share: usd(r.share),
            fee: usd(r.fee),
            stripeFee: usd(r.share < stripeFee ? r.share : stripeFee),
          }));
          const gross = rows.reduce((s, r) => s + r.share + r.fee, 0n);
          const fee = sellers.reduce((s, x) => s + x.stripeFee.minor, 0n);
          const charge = paidSeparateChargeLines({ charge: movement('ch', { ...txn(gross - fee, 'USD', { fee }), amount: gross }), sellers });
          assertPostableLines(charge);
          for (const s of sellers) {
            const x = s.share.minor - s.stripeFee.minor;
            if (x === 0n) continue;
            const transfer = orderTransferLines({
              seller: { kind: 'connected', sellerId: s.sellerId, account: accountOf(s.sellerId) },
              transfer: movement('tr', txn(-x, 'USD')),
              payment: movement('py', txn(x, 'USD')),
            });
            expect(isBalanced(transfer)).toBe(true);
            const all = [...charge, ...transfer];
            const owed = signed(all, 'seller_payable_pending', s.sellerId) + signed(all, 'seller_payable_available', s.sellerId);
            expect(owed).toBe(-cashOf(transfer, 'connected', s.sellerId));
          }
        },
      ),
    );
  });

  it('funds becoming available move cash and the payable booked with that transaction', () => {
    const charge = destinationChargeLines({ gross: usd(10_000n), applicationFee: usd(1_000n), sellerId: SELLER });
    const py = charge.find((l) => l.account === 'connected_cash_pending')!;
    const available = fundsAvailableLines({ balance: seller, cash: py.amount, payable: usd(-9_000n), stripe: py.stripe! });
    assertPostableLines(available);
    const both = [...charge, ...available];
    expect(signed(both, 'connected_cash_pending', SELLER)).toBe(0n);
    expect(signed(both, 'connected_cash_available', SELLER)).toBe(9_000n);
    expect(signed(both, 'seller_payable_pending', SELLER)).toBe(0n);
    expect(signed(both, 'seller_payable_available', SELLER)).toBe(-9_000n);
    const payout = payoutLines({ amount: usd(9_000n), sellerId: SELLER });
    assertPostableLines(payout);
    expect(signed([...both, ...payout], 'connected_cash_available', SELLER)).toBe(0n);
    expect(signed([...both, ...payout], 'seller_payable_available', SELLER)).toBe(0n);
  });

  it('property: every charge balances; fee revenue is the application fee and the seller is owed gross - fee', () => {
    fc.assert(
      fc.property(chargeArb, ({ gross, applicationFee, stripeFee }) => {
        const lines = destinationChargeLines({ gross, applicationFee, stripeFee, sellerId: SELLER });
        assertPostableLines(lines);
        const owed = -signed(lines, 'seller_payable_pending', SELLER);
        const fee = -signed(lines, 'platform_fee_revenue');
        expect(fee).toBe(applicationFee.minor);
        expect(fee + owed).toBe(gross.minor);
        // the marketplace's cash at Stripe (both balances) is the charge minus Stripe's fee
        expect(cashOf(lines, 'platform') + cashOf(lines, 'connected', SELLER)).toBe(gross.minor - stripeFee.minor);
      }),
      { numRuns: 500 },
    );
  });

  it('property: refunds, failures, disputes, availability and payouts balance for every amount', () => {
    fc.assert(
      fc.property(currencies, fc.bigInt({ min: 1n, max: 99_999_999n }), fc.bigInt({ min: 0n, max: 99_999_999n }), (currency, a, b) => {
        const big = a > b ? a : b === 0n ? a : b;
        const small = a > b ? b : a;
        const m = (x: bigint) => Money.of(x, currency);
        const avail = { status: 'available' as const };
        const all = [
          destinationRefundLines({ refund: m(big), reversed: m(big), feeRefund: m(small <= big ? small : big), sellerId: SELLER }),
          destinationRefundLines({ refund: m(big), reversed: m(small <= big ? small : big), feeRefund: m(0n), sellerId: SELLER }),
          refundFailedLines({ sellerId: SELLER, failure: movement('re', txn(big, currency, avail)), reversed: small <= big ? small : big, feeReturned: 0n }),
          disputeTransactionLines({ dispute: movement('dp', { ...txn(-(big + small), currency, avail), amount: -big, fee: small }) }),
          disputeRecoveryLines({ seller, reversal: { platform: movement('trr', txn(big, currency, avail)), connected: movement('pyr', txn(-big, currency, avail)) } }),
          disputeRecoveryLines({
            seller,
            reversal: { platform: movement('trr', txn(big, currency, avail)), connected: movement('pyr', txn(-big, currency)) },
            feeRefunds: small > 0n ? [movement('fr', txn(-small, currency, avail))] : [],
          }),
          disputeReturnLines({ seller, transfer: movement('tr', txn(-big, currency)), payment: movement('py', txn(big, currency)) }),
          disputeReturnLines({ seller, transfer: movement('tr', txn(-big, currency)), payment: movement('py', txn(big, currency)), feeRefunded: small }),
          returnReversalLines({ seller, reversal: { platform: movement('trr', txn(big, currency, avail)), connected: movement('pyr', txn(-big, currency)) } }),
          fundsAvailableLines({ balance: seller, cash: m(big), payable: m(-small), stripe: { objectId: 'py_x', balanceTransactionId: 'txn_x', account: seller.account, availableOn: new Date() } }),
          payoutLines({ amount: m(big), sellerId: SELLER }),
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

describe('multi-seller refunds, reversals and seller debts', () => {
  it('property: a refund lowering one seller and reversing (or owing) the other leaves refund_losses the platform part, and netting clears the debt', () => {
    fc.assert(
      fc.property(
        currencies,
        fc.bigInt({ min: 1n, max: 9_999_999n }),
        fc.bigInt({ min: 0n, max: 9_999_999n }),
        fc.bigInt({ min: 0n, max: 9_999_999n }),
        fc.boolean(),
        (currency, platformPart, lowered, reversed, refused) => {
          const m = (x: bigint) => Money.of(x, currency);
          const avail = { status: 'available' as const };
          const refund = platformPart + lowered + reversed;
          const refundEntry = separateChargeRefundLines({ refund: movement('re', txn(-refund, currency, avail)), lowered: lowered > 0n ? [{ sellerId: OTHER, amount: lowered }] : [], debts: [] });
          const later =
            reversed === 0n
              ? []
              : refused
                ? sellerDebtLines({ sellerId: SELLER, amount: m(reversed) })
                : returnReversalLines({ seller, reversal: { platform: movement('trr', txn(reversed, currency, avail)), connected: movement('pyr', txn(-reversed, currency, avail)) } });
          const netting = refused && reversed > 0n ? debtNettingLines({ sellerId: SELLER, amount: m(reversed) }) : [];
          for (const lines of [refundEntry, later, netting].filter((l) => l.length)) {
            assertPostableLines(lines);
            expect(isBalanced(lines)).toBe(true);
          }
          const all = [...refundEntry, ...later, ...netting];
          expect(signed(all, 'refund_losses')).toBe(platformPart);
          expect(signed(all, 'seller_debts', SELLER)).toBe(0n);
          expect(signed(all, 'seller_payable_pending', OTHER)).toBe(lowered);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: a refund that fails after it succeeded: every entry balances; per seller, refund + failure (+ netting) + return transfers nets to zero on payables and debts; refund_losses back to zero', () => {
    fc.assert(
      fc.property(
        currencies,
        fc.bigInt({ min: 1n, max: 9_999_999n }),
        fc.bigInt({ min: 0n, max: 9_999_999n }),
        fc.bigInt({ min: 0n, max: 9_999_999n }),
        fc.bigInt({ min: 0n, max: 9_999_999n }),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (currency, platformPart, lowering, shortfallRaw, reversed, refused, nettedShare, unsent) => {
          const m = (x: bigint) => Money.of(x, currency);
          const avail = { status: 'available' as const };
          // OTHER: a lowering of `lowering`, of which `shortfall` was more than was left of the transfer (their debt)
          const shortfall = shortfallRaw > lowering ? lowering : shortfallRaw;
          const refund = platformPart + lowering + reversed;
          const entries: LedgerLineInput[][] = [
            separateChargeRefundLines({
              refund: movement('re', txn(-refund, currency, avail)),
              lowered: lowering > 0n ? [{ sellerId: OTHER, amount: lowering }] : [],
              debts: shortfall > 0n ? [{ sellerId: OTHER, amount: shortfall }] : [],
            }),
          ];
          // SELLER: a reversal Stripe made, or refused (their debt), part of it netted from a later transfer
          const netted = refused ? (reversed * BigInt(Math.floor(nettedShare * 1000))) / 1000n : 0n;
          if (reversed > 0n && !refused)
            entries.push(returnReversalLines({ seller, reversal: { platform: movement('trr', txn(reversed, currency, avail)), connected: movement('pyr', txn(-reversed, currency, avail)) } }));
          if (reversed > 0n && refused) entries.push(sellerDebtLines({ sellerId: SELLER, amount: m(reversed) }));
          if (netted > 0n) entries.push(debtNettingLines({ sellerId: SELLER, amount: m(netted) }));
          // the refund fails: the money back, the loss undone, each seller given back what was taken
          entries.push(separateChargeRefundFailedLines({ failure: movement('re', txn(refund, currency, avail)) }));
          const sellerOwed = refused ? netted : reversed;
          const otherOwed = lowering - shortfall;
          entries.push(
            separateChargeRefundFailedSellerLines({
              currency,
              sellers: [
                { sellerId: SELLER, owed: sellerOwed, canceled: refused ? reversed - netted : 0n },
                { sellerId: OTHER, owed: otherOwed, canceled: shortfall },
              ],
            }),
          );
          // return transfers: the seller's reversal or netted debt; the other's lowering when its transfer was sent meanwhile
          const other = { kind: 'connected' as const, sellerId: OTHER, account: accountOf(OTHER) };
          const returns: Array<[typeof seller, bigint]> = [
            [seller, sellerOwed],
            [other, unsent ? 0n : otherOwed],
          ];
          for (const [to, x] of returns)
            if (x > 0n) entries.push(orderTransferLines({ seller: to, transfer: movement('tr', txn(-x, currency, avail)), payment: movement('py', txn(x, currency, avail)) }));
          for (const lines of entries.filter((l) => l.length)) {
            assertPostableLines(lines);
            expect(isBalanced(lines)).toBe(true);
          }
          const all = entries.flat();
          expect(signed(all, 'refund_losses')).toBe(0n);
          for (const id of [SELLER, OTHER]) expect(signed(all, 'seller_debts', id)).toBe(0n);
          // the seller's claim is what it was before the refund; the other's lowering is back on their
          // platform-held payable (their transfer goes out at its full amount) unless it came by a return transfer
          expect(signed(all, 'seller_payable_pending', SELLER) + signed(all, 'seller_payable_available', SELLER)).toBe(0n);
          expect(signed(all, 'seller_payable_pending', OTHER) + signed(all, 'seller_payable_available', OTHER)).toBe(0n);
          expect(cashOf(all, 'connected', SELLER)).toBe(refused ? netted : 0n);
          expect(cashOf(all, 'platform')).toBe(-(refused ? netted : 0n) - (unsent ? 0n : otherOwed));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a lowering beyond what is left of the transfer books the excess as the seller debt', () => {
    const lines = separateChargeRefundLines({
      refund: movement('re', txn(-1000n, 'USD', { status: 'available' })),
      lowered: [{ sellerId: SELLER, amount: 600n }],
      debts: [{ sellerId: SELLER, amount: 200n }],
    });
    assertPostableLines(lines);
    expect(signed(lines, 'seller_payable_pending', SELLER)).toBe(400n);
    expect(signed(lines, 'seller_debts', SELLER)).toBe(200n);
    expect(signed(lines, 'refund_losses')).toBe(400n);
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
      { account: 'connected_cash_pending', amount: usd(1n) },
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
