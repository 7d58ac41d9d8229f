import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-answer.js';
import { ApiErrors } from '../common/error-response.js';
import { Idempotent } from '../common/idempotency/idempotent.decorator.js';
import { CurrentPrincipal, Roles } from '../identity/auth.decorators.js';
import type { Principal } from '../identity/principal.entity.js';
import { RecentRunsQuery } from '../common/recent-runs.query.js';
import { PayoutRequestSchedule } from './payout-request-schedule.service.js';
import { PayoutRequestResponse, PayoutRunResponse, PayoutRunsResponse, toPayoutRequestResponse, toPayoutRunResponse } from './payout-requests.mapper.js';
import { PayoutRequestsConfig } from './payout-requests.config.js';
import { PayoutRequestsService } from './payout-requests.service.js';

const uuid = new ParseUUIDPipe({ version: '4' });

/** Admins: the scheduled job's runs (and the slots it missed), a run now, and a held request checked again. */
@ApiTags('payouts')
@Roles('admin')
@Controller('admin/payouts')
export class PayoutRunsAdminController {
  constructor(
    private readonly schedule: PayoutRequestSchedule,
    private readonly requests: PayoutRequestsService,
    private readonly config: PayoutRequestsConfig,
  ) {}

  @Get('runs')
  @ApiOperation({
    summary: 'Runs of the payout requests job, and the slots it missed',
    description: 'Every run of the last `days` days and, from PAYOUT_REQUESTS_CRON, every scheduled slot of that window with no run, marked `missed`; newest first.',
  })
  @ApiAnswer(PayoutRunsResponse)
  async runs(@Query() query: RecentRunsQuery): Promise<PayoutRunsResponse> {
    const items = await this.schedule.listing(query.days);
    return { cron: this.config.PAYOUT_REQUESTS_CRON, days: query.days, data: items.map(toPayoutRunResponse) };
  }

  @Post('runs')
  @Idempotent()
  @ApiOperation({
    summary: 'Run the payout requests job now',
    description: 'A run with trigger `admin` and slot now: requests for every balance at or above the minimum without an open request, and held requests checked again.',
  })
  @ApiAnswer(PayoutRunResponse, 201)
  @ApiErrors({ 409: ['PAYOUTS.RUN_IN_PROGRESS', 'IDEMPOTENCY.IN_FLIGHT'] })
  async runNow(): Promise<PayoutRunResponse> {
    return toPayoutRunResponse({ kind: 'run', run: await this.schedule.runNow() });
  }

  @Post(':id/recheck')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Check a held payout request again',
    description:
      'A held request whose Stripe and ledger figures agree now moves to review; still apart, its figures and reason are brought up to date. A request that is not held is answered as it is.',
  })
  @ApiAnswer(PayoutRequestResponse)
  @ApiErrors({ 404: ['NOT_FOUND'], 503: ['PAYOUTS.BALANCE_UNAVAILABLE'] })
  async recheck(@CurrentPrincipal() admin: Principal, @Param('id', uuid) id: string): Promise<PayoutRequestResponse> {
    return toPayoutRequestResponse(await this.requests.recheck(id, { id: admin.id, role: 'admin' }));
  }
}
