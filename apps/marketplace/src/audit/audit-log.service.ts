import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { keysetPage, type Page } from '../common/page.js';
import type { PaginationQuery } from '../common/pagination.query.js';
import { AuditEntry, type AuditActorRole } from './audit-entry.entity.js';

export interface AuditActor {
  id: string | null;
  role: AuditActorRole;
}

export interface NewAuditEntry {
  subject: { type: string; id: string };
  action: string;
  actor: AuditActor;
  before?: object | null;
  after?: object | null;
  reason?: string | null;
}

/** The system actor (the scheduler, a worker) and Stripe (an event) for audit entries. */
export const SYSTEM_ACTOR: AuditActor = { id: null, role: 'system' };
export const STRIPE_ACTOR: AuditActor = { id: null, role: 'stripe' };

/**
 * The only writer (and reader) of the audit log. `record` runs in the caller's transaction, so the entry
 * commits or rolls back with the change it describes; the table itself refuses UPDATE and DELETE.
 */
@Injectable()
export class AuditLog {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A subject's entries, oldest first (the log's own order), a page at a time. */
  list(subject: { type: string; id: string }, page: PaginationQuery): Promise<Page<AuditEntry>> {
    const qb = this.db.getRepository(AuditEntry).createQueryBuilder('e').where('e.subject_type = :type AND e.subject_id = :id', subject);
    return keysetPage(qb, { table: 'audit_log', idColumn: 'id', idIsUuid: false, direction: 'ASC', keys: (a) => [`${a}.id`], idOf: (e) => e.id }, page);
  }

  async record(tx: EntityManager, entry: NewAuditEntry): Promise<void> {
    const row: Partial<AuditEntry> = {
      subjectType: entry.subject.type,
      subjectId: entry.subject.id,
      action: entry.action,
      actorId: entry.actor.id,
      actorRole: entry.actor.role,
      before: entry.before ?? null,
      after: entry.after ?? null,
      reason: entry.reason ?? null,
    };
    await tx.getRepository(AuditEntry).insert(row);
  }
}
