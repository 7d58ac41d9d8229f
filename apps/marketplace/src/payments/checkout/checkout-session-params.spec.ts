import fc from 'fast-check';
import { checkoutSessionParams } from './checkout.service.js';
import type { OrderLine } from '../orders/order-line.entity.js';
import type { OrderSeller } from '../orders/order-seller.entity.js';
import type { Order } from '../orders/order.entity.js';

const ORDER_ID = '7d3f0c1e-2f3d-4a5b-8c7d-0000000000aa';
const line = (i: number): OrderLine => ({ listingId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, title: `item ${i}`, unitAmount: BigInt(100 * i), quantity: i }) as OrderLine;
const order = (lines: OrderLine[], chargeType: Order['chargeType']): Order =>
  ({
    id: ORDER_ID,
    currency: 'USD',
    chargeType,
    successUrl: 'https://shop.example/ok',
    cancelUrl: 'https://shop.example/cart',
    lines,
    sellers: [{ stripeAccountId: 'acct_1', fee: 30n } as OrderSeller],
  }) as Order;

describe('checkoutSessionParams', () => {
  it('is the same for the stored lines in any order, so a resumed call matches the first under its Stripe key', () => {
    const lines = [1, 2, 3, 4, 5].map(line);
    const expected = checkoutSessionParams(order(lines, 'destination'), false);
    fc.assert(
      fc.property(fc.shuffledSubarray(lines, { minLength: lines.length }), (shuffled) => {
        expect(checkoutSessionParams(order(shuffled, 'destination'), false)).toEqual(expected);
      }),
    );
    expect(expected.lineItems.map((l) => l.name)).toEqual(['item 1', 'item 2', 'item 3', 'item 4', 'item 5']);
  });

  it('carries the destination and fee of a single-seller order only', () => {
    expect(checkoutSessionParams(order([line(1)], 'destination'), true)).toMatchObject({
      metadata: { order_id: ORDER_ID },
      transferGroup: ORDER_ID,
      destination: { account: 'acct_1', applicationFeeAmount: 30n, onBehalfOf: true },
    });
    expect(checkoutSessionParams(order([line(1)], 'separate_transfers'), true).destination).toBeUndefined();
  });
});
