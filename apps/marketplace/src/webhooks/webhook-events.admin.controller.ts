import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DomainError } from '../common/domain-error.js';
import { Roles } from '../identity/auth.decorators.js';
import { BackfillWebhookEventsDto } from './dto/backfill-webhook-events.dto.js';
import { ListWebhookEventsQuery } from './dto/list-webhook-events.query.js';
import { ReplayWebhookEventsDto } from './dto/replay-webhook-events.dto.js';
import { WebhookBackfillService, type BackfillResult } from './webhook-backfill.service.js';
import { toWebhookEventDetailResponse, toWebhookEventResponse, WebhookEventDetailResponse, WebhookEventResponse } from './webhook-event.mapper.js';
import { WebhookEventsAdminService } from './webhook-events.admin.service.js';

const MAX_BACKFILL_WINDOW_MS = 30 * 24 * 3600 * 1000; // Stripe keeps events for 30 days

@ApiTags('admin: webhook events')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/webhook-events')
export class WebhookEventsAdminController {
  constructor(
    private readonly admin: WebhookEventsAdminService,
    private readonly backfillService: WebhookBackfillService,
  ) {}

  @Get()
  async list(@Query() query: ListWebhookEventsQuery): Promise<{ data: WebhookEventResponse[]; total: number }> {
    const { data, total } = await this.admin.list(query);
    return { data: data.map(toWebhookEventResponse), total };
  }

  @Post('replay')
  @HttpCode(200)
  replayMany(@Body() body: ReplayWebhookEventsDto): Promise<{ replayed: number }> {
    return this.admin.replayMany(body);
  }

  @Post('backfill')
  @HttpCode(200)
  backfill(@Body() body: BackfillWebhookEventsDto): Promise<BackfillResult> {
    const from = new Date(body.from);
    const to = new Date(body.to);
    if (!(from < to) || to.getTime() - from.getTime() > MAX_BACKFILL_WINDOW_MS) {
      throw new DomainError('WEBHOOKS.BAD_WINDOW', '`from` must be before `to`, at most 30 days apart', 'invalid');
    }
    return this.backfillService.backfill({ from, to });
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<WebhookEventDetailResponse> {
    return toWebhookEventDetailResponse(await this.admin.get(id));
  }

  @Post(':id/replay')
  @HttpCode(200)
  async replay(@Param('id') id: string): Promise<WebhookEventResponse> {
    return toWebhookEventResponse(await this.admin.replayOne(id));
  }
}
