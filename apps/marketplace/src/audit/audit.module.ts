import { Module } from '@nestjs/common';
import { AuditLog } from './audit-log.service.js';
import { AuditController } from './audit.controller.js';

/** The append-only audit log (who did what to which subject, before and after). Import it and inject AuditLog; admins read it at GET /admin/audit. */
@Module({
  controllers: [AuditController],
  providers: [AuditLog],
  exports: [AuditLog],
})
export class AuditModule {}
