import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiAnswer } from '../common/api-answer.js';
import { ApiErrors } from '../common/error-response.js';
import { Idempotent, RequestIdempotencyKey } from '../common/idempotency/idempotent.decorator.js';
import { ApiPageResponse, mapPage, type Page } from '../common/page.js';
import { CurrentPrincipal, Roles } from '../identity/auth.decorators.js';
import type { Principal } from '../identity/principal.entity.js';
import { DiscrepancyActions } from './discrepancy-actions.service.js';
import { RecentRunsQuery } from '../common/recent-runs.query.js';
import { HealDiscrepancyDto, ListDiscrepanciesQuery, ResolveDiscrepancyDto, StartReconciliationRunDto } from './dto/reconciliation.dto.js';
import {
  DiscrepancyResponse,
  ReconciliationRunDetailResponse,
  ReconciliationRunResponse,
  ReconciliationRunsResponse,
  toDiscrepancyResponse,
  toReconciliationRunResponse,
} from './reconciliation.mapper.js';
import { ReconciliationConfig } from './reconciliation.config.js';
import { ReconciliationReports } from './reconciliation-reports.service.js';
import { ReconciliationSchedule } from './reconciliation-schedule.service.js';

const uuid = new ParseUUIDPipe({ version: '4' });

/** Admins: reconciliation runs (and the slots the cron missed), a run now, reports and CSV, and what to do with each discrepancy. */
@ApiTags('reconciliation')
@Roles('admin')
@Controller('admin/reconciliation')
export class ReconciliationAdminController {
  constructor(
    private readonly schedule: ReconciliationSchedule,
    private readonly reports: ReconciliationReports,
    private readonly actions: DiscrepancyActions,
    private readonly config: ReconciliationConfig,
  ) {}

  @Get('runs')
  @ApiOperation({
    summary: 'Reconciliation runs, and the slots the cron missed',
    description: 'Every run of the last `days` days and every RECONCILIATION_CRON slot of that window with no run (`missed`), newest first.',
  })
  @ApiAnswer(ReconciliationRunsResponse)
  async runs(@Query() query: RecentRunsQuery): Promise<ReconciliationRunsResponse> {
    const since = new Date(Date.now() - query.days * 86_400_000);
    const items = await this.schedule.listing(query.days, await this.schedule.runsSince(since));
    return { cron: this.config.RECONCILIATION_CRON, days: query.days, data: items.map(toReconciliationRunResponse) };
  }

  @Post('runs')
  @Idempotent({ intents: 'reconciliation_runs' })
  @ApiOperation({
    summary: 'Reconcile a window now',
    description:
      "Queues a run for the window (Stripe's `created`, default: RECONCILIATION_FIRST_WINDOW_S back to now on Stripe's clock); a worker works it under the run lock, a page at a time. The Idempotency-Key is bound to the run it makes: a retry answers that run.",
  })
  @ApiAnswer(ReconciliationRunResponse, 201)
  @ApiErrors({ 400: ['RECONCILIATION.INVALID_WINDOW', 'VALIDATION_FAILED'], 409: ['IDEMPOTENCY.IN_FLIGHT'], 422: ['IDEMPOTENCY.KEY_REUSED'], 503: ['RECONCILIATION.STRIPE_UNAVAILABLE'] })
  async start(@CurrentPrincipal() admin: Principal, @Body() body: StartReconciliationRunDto, @RequestIdempotencyKey() key: string): Promise<ReconciliationRunResponse> {
    const run = await this.schedule.runNow({ by: admin.id, idempotencyKey: key, from: body.from ? new Date(body.from) : undefined, to: body.to ? new Date(body.to) : undefined });
    return toReconciliationRunResponse({ kind: 'run', run });
  }

  @Get('runs/:id')
  @ApiOperation({ summary: 'A run: matched count and amount per balance and currency, and the discrepancies it saw by kind' })
  @ApiAnswer(ReconciliationRunDetailResponse)
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async run(@Param('id', uuid) id: string): Promise<ReconciliationRunDetailResponse> {
    const detail = await this.reports.detail(id);
    return { ...toReconciliationRunResponse({ kind: 'run', run: detail.run }), matched: detail.matched, discrepancies: detail.discrepancies };
  }

  @Get('runs/:id/discrepancies')
  @ApiOperation({
    summary: 'The discrepancies a run saw',
    description: 'Each with both sides: Stripe object and balance transaction ids with Dashboard links, our ledger entries and row, amounts; filter by kind and by status now.',
  })
  @ApiPageResponse(DiscrepancyResponse)
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async discrepancies(@Param('id', uuid) id: string, @Query() query: ListDiscrepanciesQuery): Promise<Page<DiscrepancyResponse>> {
    return mapPage(await this.reports.discrepancies(id, query), (d) => toDiscrepancyResponse(d, this.reports.livemode));
  }

  @Get('runs/:id/export.csv')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'text/csv; a header row, then one row per balance transaction', schema: { type: 'string' } })
  @ApiOperation({
    summary: 'Everything a run compared, as CSV',
    description:
      'One row per Stripe balance transaction: both sides, amounts in major units, the outcome and the discrepancy it is part of. 410 once the run is older than RECONCILIATION_ITEMS_RETENTION_DAYS (its rows deleted; its totals and discrepancies stay).',
  })
  @ApiErrors({ 404: ['NOT_FOUND'], 410: ['RECONCILIATION.ITEMS_PRUNED'] })
  async csv(@Param('id', uuid) id: string, @Res() res: Response): Promise<void> {
    const stream = await this.reports.csv(id);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="reconciliation-${id}.csv"`);
    stream.pipe(res);
  }

  @Get('discrepancies/:id')
  @ApiOperation({ summary: 'One discrepancy' })
  @ApiAnswer(DiscrepancyResponse)
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async discrepancy(@Param('id', uuid) id: string): Promise<DiscrepancyResponse> {
    return toDiscrepancyResponse(await this.reports.discrepancy(id), this.reports.livemode);
  }

  @Post('discrepancies/:id/resolve')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Resolve a discrepancy with a note', description: 'Kept with the item and in the audit log (`GET /admin/audit?subject=reconciliation_discrepancy:<id>`).' })
  @ApiAnswer(DiscrepancyResponse)
  @ApiErrors({ 400: ['RECONCILIATION.NOTE_REQUIRED', 'VALIDATION_FAILED'], 404: ['NOT_FOUND'], 409: ['RECONCILIATION.NOT_OPEN', 'IDEMPOTENCY.IN_FLIGHT'] })
  async resolve(@CurrentPrincipal() admin: Principal, @Param('id', uuid) id: string, @Body() body: ResolveDiscrepancyDto): Promise<DiscrepancyResponse> {
    return toDiscrepancyResponse(await this.actions.resolve(id, admin.id, body.note.trim()), this.reports.livemode);
  }

  @Post('discrepancies/:id/heal')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Heal a discrepancy',
    description:
      'backfill (missing events from /v1/events, worked by the normal handlers), resync (the object re-read from Stripe, applied by its handler) or correct (a correcting entry negating the entry booked wrong; never an edit). The item becomes `healed`; the next run clears it, or opens it again if it is still there.',
  })
  @ApiAnswer(DiscrepancyResponse)
  @ApiErrors({ 404: ['NOT_FOUND'], 409: ['RECONCILIATION.NOT_OPEN', 'IDEMPOTENCY.IN_FLIGHT'], 422: ['RECONCILIATION.NO_HEAL', 'RECONCILIATION.NO_CORRECTION', 'RECONCILIATION.HEAL_FOUND_NOTHING'] })
  async heal(@CurrentPrincipal() admin: Principal, @Param('id', uuid) id: string, @Body() body: HealDiscrepancyDto): Promise<DiscrepancyResponse> {
    return toDiscrepancyResponse(await this.actions.heal(id, admin.id, body.action), this.reports.livemode);
  }
}
