import { StripeGatewayError, type TransferSnapshot } from '@app/stripe';
import { TransferSubmissionService } from './transfer-submission.service.js';
import type { Transfer } from './transfer.entity.js';

// Review 4: a Stripe refusal of anything but the create itself (the look-up before it, the reads
// after it) is not the transfer's refusal: the row must never end `failed` for it (an admin would
// retry or cancel a transfer that may exist).
const id = '0b6a4c1e-2f3d-4a5b-8c7d-9e0f1a2b3c4d';
const orderId = '1b6a4c1e-2f3d-4a5b-8c7d-9e0f1a2b3c4d';
const sellerId = '2b6a4c1e-2f3d-4a5b-8c7d-9e0f1a2b3c4d';

function row(over: Partial<Transfer> = {}): Transfer {
  return {
    id,
    kind: 'order',
    status: 'submitting',
    orderId,
    sellerId,
    amount: 900n,
    currency: 'USD',
    share: 900n,
    stripeFeeShare: 0n,
    destination: 'acct_1',
    transferGroup: orderId,
    sourceTransaction: 'ch_1',
    stripeParams: { amount: '900', currency: 'usd', destination: 'acct_1', transfer_group: orderId, source_transaction: 'ch_1', metadata: { order_id: orderId, seller_id: sellerId, transfer_id: id } },
    idempotencyKey: `transfer:${id}`,
    keyGeneration: 0,
    keyFirstSentAt: null,
    submitAttempts: 0,
    ...over,
  } as Transfer;
}

const made: TransferSnapshot = {
  id: 'tr_1',
  amount: 900n,
  currency: 'USD',
  destination: 'acct_1',
  transferGroup: orderId,
  sourceTransaction: 'ch_1',
  amountReversed: 0n,
  reversed: false,
  metadata: { order_id: orderId, seller_id: sellerId, transfer_id: id },
  created: new Date(),
  balanceTransaction: null,
  destinationPaymentId: 'py_1',
};

function service(o: { claimed: Transfer; listTransfers?: () => Promise<TransferSnapshot[]>; read?: () => Promise<never> }) {
  const moves: string[] = [];
  const gateway = {
    listTransfers: o.listTransfers ?? (async () => []),
    createTransfer: async () => made,
  };
  const transfers = {
    claimDue: async () => [o.claimed],
    transition: async (_tx: unknown, _id: string, to: string) => {
      moves.push(to);
      return true;
    },
  };
  const outcome = { read: o.read ?? (async () => ({})), recordMade: async () => true };
  const gate = { assertCanReceiveTransfers: async () => undefined };
  const db = { manager: {}, transaction: async (fn: (tx: unknown) => unknown) => fn({ findOne: async () => o.claimed, query: async () => [] }) };
  const logger = { warn: () => undefined, error: () => undefined };
  const config = { TRANSFERS_RETRY_BASE_MS: 0, TRANSFERS_INACTIVE_RECHECK_MS: 0 };
  // biome-ignore lint/suspicious/noExplicitAny: hand-made collaborators
  const s = new TransferSubmissionService(db as any, gateway as any, transfers as any, outcome as any, gate as any, config as any, logger as any);
  return { s, moves };
}

describe('review4: refusals that are not the transfer', () => {
  it('the look-up before a resend is refused (404): the row goes back to pending, never failed', async () => {
    const { s, moves } = service({
      claimed: row({ keyFirstSentAt: new Date(), submitAttempts: 1 }),
      listTransfers: async () => {
        throw new StripeGatewayError('STRIPE.NOT_FOUND', 'No such transfer group', { httpStatus: 404 });
      },
    });
    await s.runOnce();
    expect(moves).toEqual(['pending']);
  });

  it('the transfer was made and reading its py_ payment is refused (403): back to pending (looked up next time), never failed', async () => {
    const { s, moves } = service({
      claimed: row({ status: 'pending' }),
      read: async () => {
        throw new StripeGatewayError('STRIPE.AUTHENTICATION', 'The account does not grant access', { httpStatus: 403 });
      },
    });
    await s.runOnce();
    expect(moves).toEqual(['submitting', 'pending']);
  });
});
