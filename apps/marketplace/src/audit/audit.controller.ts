import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/error-response.js';
import { ApiPageResponse, mapPage, type Page } from '../common/page.js';
import { Roles } from '../identity/auth.decorators.js';
import { AuditLog } from './audit-log.service.js';
import { AuditEntryResponse, toAuditEntryResponse } from './audit.mapper.js';
import { ListAuditQuery } from './dto/list-audit.query.js';

@ApiTags('audit')
@Controller('admin/audit')
@Roles('admin')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @ApiOperation({ summary: "A subject's audit log", description: 'Every action on the subject (e.g. `payout_request:<id>`), oldest first: who, when, what, before and after, and why.' })
  @ApiPageResponse(AuditEntryResponse)
  @ApiErrors({ 400: ['AUDIT.INVALID_SUBJECT'] })
  async list(@Query() query: ListAuditQuery): Promise<Page<AuditEntryResponse>> {
    const at = query.subject.indexOf(':');
    return mapPage(await this.audit.list({ type: query.subject.slice(0, at), id: query.subject.slice(at + 1) }, query), toAuditEntryResponse);
  }
}
