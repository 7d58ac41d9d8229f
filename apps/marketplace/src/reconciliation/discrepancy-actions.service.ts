import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service.js';
import { NotFoundError } from '../common/domain-error.js';
import { DiscrepancyHealers } from './discrepancy-healers.service.js';
import { type Discrepancy, DISCREPANCY_TRANSITIONS, type DiscrepancyStatus, type Heal, type HealAction } from './reconciliation-run.js';
import { ReconciliationErrors } from './reconciliation.errors.js';
import { ReconciliationStore } from './reconciliation-store.js';

/** Stripe keeps events 30 days; an older difference is healed by re-reading the object instead. */
const EVENT_RETENTION_MS = 30 * 86_400_000;

const HEALS_BY_KIND: Record<string, HealAction[]> = {
  missing_in_ledger: ['backfill', 'resync'],
  status_mismatch: ['backfill', 'resync'],
  payout_contents_mismatch: ['backfill', 'resync'],
  amount_mismatch: ['correct', 'resync'],
};

function assertTransition(d: Discrepancy, to: DiscrepancyStatus): void {
  if (!DISCREPANCY_TRANSITIONS[to].includes(d.status)) throw ReconciliationErrors.notLive(d.id, d.status);
}

/**
 * What an admin does with a discrepancy, each recorded in the audit log: resolve it with a note, or
 * heal it with the action that fits its kind: backfill the missing events from /v1/events (worked
 * by the normal handlers), re-sync the object past Stripe's event retention, or post a correcting
 * entry for an entry booked wrong. A heal leaves the item `healed`; the next run clears it, or
 * finds it still there and opens it again.
 */
@Injectable()
export class DiscrepancyActions {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: ReconciliationStore,
    private readonly audit: AuditLog,
    private readonly healers: DiscrepancyHealers,
  ) {}

  async resolve(id: string, admin: string, note: string): Promise<Discrepancy> {
    return this.db.transaction(async (tx) => {
      const d = await this.store.lockDiscrepancy(tx, id);
      if (!d) throw new NotFoundError('Discrepancy', id);
      assertTransition(d, 'resolved');
      await tx.query(`UPDATE reconciliation_discrepancies SET status = 'resolved', resolved_by = $2, resolution_note = $3, resolved_at = now(), updated_at = now() WHERE id = $1`, [id, admin, note]);
      await this.audit.record(tx, {
        subject: { type: 'reconciliation_discrepancy', id },
        action: 'resolve',
        actor: { id: admin, role: 'admin' },
        before: { status: d.status },
        after: { status: 'resolved' },
        reason: note,
      });
      return (await this.store.discrepancy(id, tx))!;
    });
  }

  async heal(id: string, admin: string, requested?: HealAction): Promise<Discrepancy> {
    const d = await this.store.discrepancy(id);
    if (!d) throw new NotFoundError('Discrepancy', id);
    assertTransition(d, 'healed');
    const allowed = HEALS_BY_KIND[d.kind] ?? [];
    const action = requested ?? this.defaultAction(d, allowed);
    if (!action || !allowed.includes(action) || (action === 'correct' && !d.stripeBalanceTransactionId)) throw ReconciliationErrors.noHeal(id, d.kind, requested);
    // Stripe is read (and the inbox written) first, outside any transaction; both are idempotent (events by id)
    const prepared = await this.healers.prepare(action, d);
    return this.db.transaction(async (tx) => {
      const locked = (await this.store.lockDiscrepancy(tx, id))!;
      assertTransition(locked, 'healed');
      const result = prepared.correct ? { ...prepared.result, correctionEntryId: (await this.healers.correct(tx, locked, prepared.correct)).id } : prepared.result;
      const heal: Heal = { action, at: new Date().toISOString(), by: admin, result };
      await tx.query(`UPDATE reconciliation_discrepancies SET status = 'healed', heals = heals || $2::jsonb, updated_at = now() WHERE id = $1`, [id, JSON.stringify([heal])]);
      await this.audit.record(tx, {
        subject: { type: 'reconciliation_discrepancy', id },
        action: `heal:${action}`,
        actor: { id: admin, role: 'admin' },
        before: { status: locked.status },
        after: { status: 'healed', heal },
      });
      return (await this.store.discrepancy(id, tx))!;
    });
  }

  private defaultAction(d: Discrepancy, allowed: HealAction[]): HealAction | undefined {
    if (allowed.includes('correct') && d.stripeBalanceTransactionId) return 'correct';
    const created = typeof d.details.created === 'string' ? new Date(d.details.created) : d.createdAt;
    if (allowed.includes('backfill') && Date.now() - created.getTime() < EVENT_RETENTION_MS) return 'backfill';
    return allowed.includes('resync') ? 'resync' : undefined;
  }
}
