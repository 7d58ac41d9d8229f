import type Stripe from 'stripe';
import { newId } from '../core/ids.js';
import { processingFee } from '../core/money.js';
import { TEST_PAYMENT_METHODS, newCharge } from '../resources/charge-builder.js';
import { DAY, type Sandbox } from './sandbox.js';

export interface SeededHistory {
  account: string;
  currency: string;
  transactions: number;
  payouts: string[];
  /** the balance transactions of the charges, oldest first */
  first_transaction: string | null;
  last_transaction: string | null;
}

/**
 * A past of `transactions` card charges on `owner`'s balance, paid out by `payouts` automatic
 * payouts (each carrying its share, its own payout transaction included), written straight into
 * the tables: no events, no webhooks, one O(1) insert per row. Each charge is a real charge object
 * (paid with pm_card_visa, no PaymentIntent), so `GET /v1/charges/:id` and `expand[]=data.source` work.
 */
export function seedBalanceHistory(sb: Sandbox, owner: string, transactions: number, payouts: number, currency: string): SeededHistory {
  const now = sb.now();
  const aa = sb.config.availableAfter;
  const segments = Math.max(1, payouts);
  // segment k's charges are made on day k; its payout runs once they are available, arriving a day later (by now)
  const start = now - segments * DAY - aa - DAY;
  const txns = sb.state.balanceTransactions;
  const platform = sb.state.accounts.get(owner)?.x.platform ?? owner;
  const paid: string[] = [];
  let first: string | null = null;
  let last: string | null = null;
  for (let k = 0; k < segments; k++) {
    const from = Math.floor((k * transactions) / segments);
    const to = Math.floor(((k + 1) * transactions) / segments);
    const dayStart = start + k * DAY;
    const spacing = to > from ? DAY / (to - from) : DAY;
    const payoutId = payouts > 0 ? newId('po') : null;
    let total = 0;
    for (let i = from; i < to; i++) {
      // amounts from 5.00 to 504.99, repeating: deterministic, no floats
      const amount = 500 + ((i * 7919) % 50_000);
      const fee = processingFee(amount, sb.config.processingFee);
      const created = dayStart + Math.floor((i - from) * spacing);
      const charge = newCharge({ amount, currency, created, status: 'succeeded', captured: true, paymentIntent: null, paymentMethod: 'pm_card_visa', card: TEST_PAYMENT_METHODS.pm_card_visa! });
      const txn: Stripe.BalanceTransaction = {
        id: newId('txn'),
        object: 'balance_transaction',
        amount,
        available_on: created + aa,
        balance_type: 'payments',
        created,
        currency,
        description: null,
        exchange_rate: null,
        fee,
        fee_details: [{ amount: fee, application: null, currency, description: 'Stripe processing fees', type: 'stripe_fee' }],
        net: amount - fee,
        reporting_category: 'charge',
        source: charge.id,
        status: 'available',
        type: 'charge',
      };
      txns.insert(txn, owner, { payout: payoutId });
      charge.balance_transaction = txn.id;
      sb.state.charges.insert(charge, owner, { platform, availableOn: txn.available_on, processingFee: fee });
      total += txn.net;
      first ??= txn.id;
      last = txn.id;
    }
    if (!payoutId) continue;
    const at = dayStart + DAY + aa;
    const payoutTxn: Stripe.BalanceTransaction = {
      id: newId('txn'),
      object: 'balance_transaction',
      amount: -total,
      available_on: at,
      balance_type: 'payments',
      created: at,
      currency,
      description: 'STRIPE PAYOUT',
      exchange_rate: null,
      fee: 0,
      fee_details: [],
      net: -total,
      reporting_category: 'payout',
      source: payoutId,
      status: 'available',
      type: 'payout',
    };
    txns.insert(payoutTxn, owner, { payout: payoutId });
    const bank = sb.state.accounts.get(owner)?.x.bank ?? null;
    const payout: Stripe.Payout = {
      id: payoutId,
      object: 'payout',
      amount: total,
      application_fee: null,
      application_fee_amount: null,
      arrival_date: at + DAY,
      automatic: true,
      balance_transaction: payoutTxn.id,
      created: at,
      currency,
      description: 'STRIPE PAYOUT',
      destination: bank?.id ?? null,
      failure_balance_transaction: null,
      failure_code: null,
      failure_message: null,
      livemode: false,
      metadata: {},
      method: 'standard',
      original_payout: null,
      payout_method: null,
      reconciliation_status: 'completed',
      reversed_by: null,
      source_type: 'card',
      statement_descriptor: null,
      status: 'paid',
      trace_id: { status: 'supported', value: `TRACE${payoutId.slice(3, 15).toUpperCase()}` },
      type: 'bank_account',
    };
    sb.state.payouts.insert(payout, owner, { inTransitAt: at + Math.floor(DAY / 2), failureCode: null });
    paid.push(payoutId);
  }
  return { account: owner, currency, transactions, payouts: paid, first_transaction: first, last_transaction: last };
}
