import { ApiProperty } from '@nestjs/swagger';
import type { AuditEntry } from './audit-entry.entity.js';

export class AuditEntryResponse {
  @ApiProperty({ description: "The log's own order" }) id: string;
  @ApiProperty() subjectType: string;
  @ApiProperty() subjectId: string;
  @ApiProperty({ example: 'approved' }) action: string;
  @ApiProperty({ nullable: true, type: String, description: 'Who acted (null for the system or Stripe)' }) actorId: string | null;
  @ApiProperty({ enum: ['admin', 'seller', 'buyer', 'system', 'stripe'] }) actorRole: string;
  @ApiProperty({ nullable: true, type: Object }) before: object | null;
  @ApiProperty({ nullable: true, type: Object }) after: object | null;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty() at: string;
}

export function toAuditEntryResponse(e: AuditEntry): AuditEntryResponse {
  return {
    id: e.id,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    action: e.action,
    actorId: e.actorId,
    actorRole: e.actorRole,
    before: e.before,
    after: e.after,
    reason: e.reason,
    at: e.at.toISOString(),
  };
}
