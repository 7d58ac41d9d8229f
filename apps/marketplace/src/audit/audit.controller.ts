import { Controller, Get, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import { ApiErrors } from '../common/error-response.js';
import { ApiPageResponse, keysetPage, mapPage, type Page } from '../common/page.js';
import { Roles } from '../identity/auth.decorators.js';
import { AuditEntry } from './audit-entry.entity.js';
import { AuditEntryResponse, toAuditEntryResponse } from './audit.mapper.js';
import { ListAuditQuery } from './dto/list-audit.query.js';

@ApiTags('audit')
@Controller('admin/audit')
@Roles('admin')
export class AuditController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @ApiOperation({ summary: "A subject's audit log", description: 'Every action on the subject (e.g. `payout_request:<id>`), oldest first: who, when, what, before and after, and why.' })
  @ApiPageResponse(AuditEntryResponse)
  @ApiErrors({ 400: ['AUDIT.INVALID_SUBJECT'] })
  async list(@Query() query: ListAuditQuery): Promise<Page<AuditEntryResponse>> {
    const at = query.subject.indexOf(':');
    const qb = this.db
      .getRepository(AuditEntry)
      .createQueryBuilder('e')
      .where('e.subject_type = :type AND e.subject_id = :id', { type: query.subject.slice(0, at), id: query.subject.slice(at + 1) });
    const page = await keysetPage(qb, { table: 'audit_log', idColumn: 'id', idIsUuid: false, direction: 'ASC', keys: (a) => [`${a}.id`], idOf: (e) => e.id }, query);
    return mapPage(page, toAuditEntryResponse);
  }
}
