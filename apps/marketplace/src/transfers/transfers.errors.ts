import { DomainError } from '../common/domain-error.js';
import type { TransferReversalStatus } from './transfer-reversal.entity.js';
import type { TransferStatus } from './transfer-status.js';

export const TransfersErrors = {
  notRetryable: (id: string, status: TransferStatus) =>
    new DomainError('TRANSFERS.NOT_RETRYABLE', `Transfer ${id} is ${status}: only a failed transfer can be retried`, 'conflict', { transferId: id, status }),
  notCancelable: (id: string, status: TransferStatus) =>
    new DomainError('TRANSFERS.NOT_CANCELABLE', `Transfer ${id} is ${status}: only a transfer Stripe has not made can be canceled`, 'conflict', {
      transferId: id,
      status,
    }),
  madeAtStripe: (id: string, stripeTransferId: string) =>
    new DomainError('TRANSFERS.MADE_AT_STRIPE', `Transfer ${id} was made at Stripe (${stripeTransferId}): recorded as succeeded, it cannot be canceled`, 'conflict', {
      transferId: id,
      stripeTransferId,
    }),
  mayStillBeMade: (id: string, status: TransferStatus) =>
    new DomainError(
      'TRANSFERS.MAY_STILL_BE_MADE',
      `Transfer ${id} (${status}) was sent to Stripe and not found there, but its key is younger than Stripe's 24 h memory and the seller can receive transfers: a retry could still make it; cancel it once the seller cannot receive transfers or after 24 h`,
      'conflict',
      { transferId: id, status },
    ),
  callOnItsWay: (id: string) =>
    new DomainError(
      'TRANSFERS.MAY_STILL_BE_MADE',
      `Transfer ${id} is being sent to Stripe now (its worker's claim lease runs): the call may still make it; cancel it once the attempt is over`,
      'conflict',
      { transferId: id, status: 'submitting' },
    ),
  reversalNotRetryable: (id: string, status: TransferReversalStatus) =>
    new DomainError('TRANSFERS.NOT_RETRYABLE', `Transfer reversal ${id} is ${status}: only a failed reversal can be retried`, 'conflict', { transferReversalId: id, status }),
  reversalNotCancelable: (id: string, status: TransferReversalStatus) =>
    new DomainError('TRANSFERS.NOT_CANCELABLE', `Transfer reversal ${id} is ${status}: only a failed reversal can be canceled`, 'conflict', { transferReversalId: id, status }),
  holdNotSupported: (sellers: number, holdDays: number) =>
    new DomainError('CHECKOUT.HOLD_NOT_SUPPORTED', 'A cart with one seller is paid by a destination charge: Stripe moves the funds to the seller at once, so they cannot be held', 'unprocessable', {
      sellers,
      holdDays,
    }),
  holdOutOfBounds: (holdDays: number, max: number) =>
    new DomainError('CHECKOUT.HOLD_OUT_OF_BOUNDS', `holdDays must be from 0 to ${max} (TRANSFERS_HOLD_MAX_DAYS); got ${holdDays}`, 'unprocessable', { holdDays, min: 0, max }),
  releaseNotSupported: (orderId: string) =>
    new DomainError('TRANSFERS.HOLD_NOT_SUPPORTED', `Order ${orderId} was paid by a destination charge: its funds went to the seller at payment, nothing is held`, 'unprocessable', { orderId }),
  notHeld: (orderId: string) => new DomainError('TRANSFERS.NOT_HELD', `Order ${orderId} has no hold: its sellers are transferred their shares once it is paid`, 'unprocessable', { orderId }),
  orderNotPaid: (orderId: string, status: string) =>
    new DomainError('TRANSFERS.ORDER_NOT_PAID', `Order ${orderId} is ${status}: only a paid order's funds can be released`, 'conflict', { orderId, status }),
};
