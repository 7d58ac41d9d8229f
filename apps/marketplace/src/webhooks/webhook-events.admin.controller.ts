import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-answer.js';
import { DomainError } from '../common/domain-error.js';
import { ApiErrors } from '../common/error-response.js';
import { ApiPageResponse, mapPage, type Page } from '../common/page.js';
import { Roles } from '../identity/auth.decorators.js';
import { BackfillWebhookEventsDto } from './dto/backfill-webhook-events.dto.js';
import { ListWebhookEventsQuery } from './dto/list-webhook-events.query.js';
import { ReplayWebhookEventsDto } from './dto/replay-webhook-events.dto.js';
import { WebhookBackfillService } from './webhook-backfill.service.js';
import { BackfillResultResponse, ReplayResultResponse, toWebhookEventDetailResponse, toWebhookEventResponse, WebhookEventDetailResponse, WebhookEventResponse } from './webhook-event.mapper.js';
import { WebhookEventsAdminService } from './webhook-events.admin.service.js';

const MAX_BACKFILL_WINDOW_MS = 30 * 24 * 3600 * 1000; // Stripe keeps events for 30 days

@ApiTags('admin: webhook events')
@Roles('admin')
@Controller('admin/webhook-events')
export class WebhookEventsAdminController {
  constructor(
    private readonly admin: WebhookEventsAdminService,
    private readonly backfillService: WebhookBackfillService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List inbox events', description: 'Newest received first; by status, type (`*` wildcard) or connected account.' })
  @ApiPageResponse(WebhookEventResponse)
  async list(@Query() query: ListWebhookEventsQuery): Promise<Page<WebhookEventResponse>> {
    return mapPage(await this.admin.list(query), toWebhookEventResponse);
  }

  @Post('replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replay inbox events in bulk', description: 'Every replayable event of the filter goes back to pending with a fresh attempt budget; handlers are idempotent.' })
  @ApiAnswer(ReplayResultResponse)
  replayMany(@Body() body: ReplayWebhookEventsDto): Promise<ReplayResultResponse> {
    return this.admin.replayMany(body);
  }

  @Post('backfill')
  @HttpCode(200)
  @ApiOperation({ summary: "Backfill missed events from Stripe's GET /v1/events", description: "The platform's and every connected account's, in a window of at most 30 days." })
  @ApiAnswer(BackfillResultResponse)
  @ApiErrors({ 400: ['WEBHOOKS.BAD_WINDOW'] })
  backfill(@Body() body: BackfillWebhookEventsDto): Promise<BackfillResultResponse> {
    const from = new Date(body.from);
    const to = new Date(body.to);
    if (!(from < to) || to.getTime() - from.getTime() > MAX_BACKFILL_WINDOW_MS) {
      throw new DomainError('WEBHOOKS.BAD_WINDOW', '`from` must be before `to`, at most 30 days apart', 'invalid');
    }
    return this.backfillService.backfill({ from, to });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One inbox event, with its payload' })
  @ApiAnswer(WebhookEventDetailResponse)
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async get(@Param('id') id: string): Promise<WebhookEventDetailResponse> {
    return toWebhookEventDetailResponse(await this.admin.get(id));
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replay one inbox event', description: 'A dead, quarantined, processed or ignored event goes back to pending.' })
  @ApiAnswer(WebhookEventResponse)
  @ApiErrors({ 404: ['NOT_FOUND'], 409: ['WEBHOOKS.NOT_REPLAYABLE'] })
  async replay(@Param('id') id: string): Promise<WebhookEventResponse> {
    return toWebhookEventResponse(await this.admin.replayOne(id));
  }
}
