import { Module } from '@nestjs/common';
import { AuditLog } from './audit-log.service.js';

/** The append-only audit log (who did what to which subject, before and after). Import it and inject AuditLog. */
@Module({
  providers: [AuditLog],
  exports: [AuditLog],
})
export class AuditModule {}
