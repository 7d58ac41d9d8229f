import type Stripe from 'stripe';
import { newId } from '../core/ids.js';

export interface CardBehaviour {
  brand: string;
  last4: string;
  outcome: 'succeed' | 'decline';
  declineCode?: 'generic_decline' | 'insufficient_funds';
  /** funds available at once (4000000000000077 / pm_card_bypassPending) */
  immediate?: boolean;
  /** disputed right after it succeeds (4000000000000259 / pm_card_createDispute) */
  dispute?: boolean;
}

const VISA = { brand: 'visa', last4: '4242', outcome: 'succeed' } as const;

export const TEST_PAYMENT_METHODS: Record<string, CardBehaviour> = {
  pm_card_visa: VISA,
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', outcome: 'succeed' },
  pm_card_visa_chargeDeclined: { brand: 'visa', last4: '0002', outcome: 'decline', declineCode: 'generic_decline' },
  pm_card_chargeDeclined: { brand: 'visa', last4: '0002', outcome: 'decline', declineCode: 'generic_decline' },
  pm_card_visa_chargeDeclinedInsufficientFunds: { brand: 'visa', last4: '9995', outcome: 'decline', declineCode: 'insufficient_funds' },
  pm_card_chargeDeclinedInsufficientFunds: { brand: 'visa', last4: '9995', outcome: 'decline', declineCode: 'insufficient_funds' },
  pm_card_bypassPending: { brand: 'visa', last4: '0077', outcome: 'succeed', immediate: true },
  pm_card_createDispute: { brand: 'visa', last4: '0259', outcome: 'succeed', dispute: true },
  pm_card_createDisputeProductNotReceived: { brand: 'visa', last4: '2685', outcome: 'succeed', dispute: true },
};

export const TEST_CARD_NUMBERS: Record<string, string> = {
  '4242424242424242': 'pm_card_visa',
  '5555555555554444': 'pm_card_mastercard',
  '4000000000000002': 'pm_card_visa_chargeDeclined',
  '4000000000009995': 'pm_card_visa_chargeDeclinedInsufficientFunds',
  '4000000000000077': 'pm_card_bypassPending',
  '4000000000000259': 'pm_card_createDispute',
};

export const DECLINE_MESSAGES: Record<string, string> = {
  generic_decline: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
};

export function newCharge(f: {
  id?: string;
  amount: number;
  currency: string;
  created: number;
  status: Stripe.Charge.Status;
  captured: boolean;
  paymentIntent: string | null;
  paymentMethod: string | null;
  card: CardBehaviour | null;
  metadata?: Record<string, string>;
  description?: string | null;
  transferGroup?: string | null;
  onBehalfOf?: string | null;
  destination?: string | null;
  transferAmount?: number | null;
  applicationFeeAmount?: number | null;
  sourceTransfer?: string | null;
  failureCode?: string | null;
  failureMessage?: string | null;
}): Stripe.Charge {
  const id = f.id ?? newId('ch');
  const declined = f.status === 'failed';
  return {
    id,
    object: 'charge',
    amount: f.amount,
    amount_captured: f.captured ? f.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: f.applicationFeeAmount ?? null,
    balance_transaction: null,
    billing_details: { address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null }, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: 'SANDBOX',
    captured: f.captured,
    created: f.created,
    currency: f.currency,
    customer: null,
    description: f.description ?? null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: f.failureCode ?? null,
    failure_message: f.failureMessage ?? null,
    fraud_details: {},
    livemode: false,
    metadata: f.metadata ?? {},
    on_behalf_of: f.onBehalfOf ?? null,
    outcome: f.card
      ? {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: declined ? 'declined_by_network' : 'approved_by_network',
          reason: declined ? (f.card.declineCode ?? 'generic_decline') : null,
          risk_level: 'normal',
          risk_score: 20,
          seller_message: declined ? 'The bank did not return any further details with this decline.' : 'Payment complete.',
          type: declined ? 'issuer_declined' : 'authorized',
        }
      : null,
    paid: f.status === 'succeeded',
    payment_intent: f.paymentIntent,
    payment_method: f.paymentMethod,
    payment_method_details: f.card
      ? {
          type: 'card',
          card: {
            amount_authorized: declined ? null : f.amount,
            authorization_code: null,
            brand: f.card.brand,
            checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
            country: 'US',
            electronic_commerce_indicator: null,
            exp_month: 12,
            exp_year: 2034,
            funding: 'credit',
            installments: null,
            last4: f.card.last4,
            mandate: null,
            network: f.card.brand,
            network_transaction_id: null,
            regulated_status: 'unregulated',
            three_d_secure: null,
            transaction_link_id: null,
            wallet: null,
          },
        }
      : null,
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    review: null,
    shipping: null,
    source: null,
    source_transfer: f.sourceTransfer ?? null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: f.status,
    transfer_data: f.destination ? { amount: f.transferAmount ?? null, destination: f.destination } : null,
    transfer_group: f.transferGroup ?? null,
  };
}
