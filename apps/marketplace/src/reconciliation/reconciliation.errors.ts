import { DomainError } from '../common/domain-error.js';
import type { DiscrepancyStatus, HealAction } from './reconciliation-run.js';

export const ReconciliationErrors = {
  notLive: (id: string, status: DiscrepancyStatus) =>
    new DomainError('RECONCILIATION.NOT_OPEN', `Discrepancy ${id} is ${status}: only an open or healed discrepancy can be resolved or healed`, 'conflict', { discrepancyId: id, status }),
  noHeal: (id: string, kind: string, action: HealAction | undefined) =>
    new DomainError(
      'RECONCILIATION.NO_HEAL',
      action ? `A ${kind} discrepancy cannot be healed by ${action}: resolve it with a note, or choose another action` : `A ${kind} discrepancy has no automatic heal: resolve it with a note`,
      'unprocessable',
      { discrepancyId: id, kind, action: action ?? null },
    ),
  noCorrection: (id: string) =>
    new DomainError(
      'RECONCILIATION.NO_CORRECTION',
      `No single ledger entry accounts for discrepancy ${id}'s difference any more: nothing was posted; read the entries and resolve it with a note`,
      'unprocessable',
      { discrepancyId: id },
    ),
  healFoundNothing: (id: string, action: HealAction) =>
    new DomainError(
      'RECONCILIATION.HEAL_FOUND_NOTHING',
      action === 'backfill'
        ? `Stripe has no event for discrepancy ${id}'s subject that the inbox lacks: nothing was done; replay its dead events (GET /admin/webhook-events), try resync, or resolve it with a note`
        : `The re-read of discrepancy ${id}'s subject is in the inbox already: nothing was done`,
      'unprocessable',
      { discrepancyId: id, action },
    ),
  itemsPruned: (id: string, at: Date) =>
    new DomainError(
      'RECONCILIATION.ITEMS_PRUNED',
      `Run ${id}'s compared transactions were deleted on ${at.toISOString()} (RECONCILIATION_ITEMS_RETENTION_DAYS); its totals and discrepancies are kept`,
      'gone',
      { runId: id, prunedAt: at.toISOString() },
    ),
  stripeUnavailable: (cause: unknown) =>
    new DomainError(
      'RECONCILIATION.STRIPE_UNAVAILABLE',
      'Stripe could not be read to place the run’s window: nothing was queued; ask again (the details are logged under this request id)',
      'unavailable',
      undefined,
      cause,
    ),
  runInvalidWindow: () => new DomainError('RECONCILIATION.INVALID_WINDOW', '`from` must be before `to`, and `to` not in the future of Stripe’s clock', 'invalid'),
};
