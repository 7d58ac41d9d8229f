import { DomainError } from '../common/domain-error.js';
import type { TransferStatus } from './transfer-status.js';

export const TransfersErrors = {
  notRetryable: (id: string, status: TransferStatus) =>
    new DomainError('TRANSFERS.NOT_RETRYABLE', `Transfer ${id} is ${status}: only a failed transfer can be retried`, 'conflict', { transferId: id, status }),
  notCancelable: (id: string, status: TransferStatus) =>
    new DomainError('TRANSFERS.NOT_CANCELABLE', `Transfer ${id} is ${status}: only a failed transfer, or a pending one never sent to Stripe, can be canceled`, 'conflict', {
      transferId: id,
      status,
    }),
};
