import type Stripe from 'stripe';
const a: Stripe.Account = {} as Stripe.Account;
export const x = a;
