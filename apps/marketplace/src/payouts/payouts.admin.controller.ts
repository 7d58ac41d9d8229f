import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-answer.js';
import { ApiErrors } from '../common/error-response.js';
import { Idempotent, RequestIdempotencyKey } from '../common/idempotency/idempotent.decorator.js';
import { ApiPageResponse, mapPage, type Page } from '../common/page.js';
import { CurrentPrincipal, Roles } from '../identity/auth.decorators.js';
import type { Principal } from '../identity/principal.entity.js';
import { ListPayoutRequestsQuery } from './dto/list-payout-requests.query.js';
import { ApprovePayoutDto, RejectPayoutDto } from './dto/review-payout.dto.js';
import { PayoutReviewQueue } from './payout-review-queue.service.js';
import {
  HoldLimitListResponse,
  PayoutDecisionResponse,
  PayoutReviewResponse,
  PayoutRiskThresholdsResponse,
  toHoldLimitStandingResponse,
  toPayoutDecisionResponse,
  toPayoutReviewResponse,
} from './payout-review.mapper.js';
import { PayoutReviewService } from './payout-review.service.js';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('payouts')
@Controller('admin/payouts')
@Roles('admin')
export class PayoutsAdminController {
  constructor(
    private readonly queue: PayoutReviewQueue,
    private readonly review: PayoutReviewService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Payout requests, with what an admin needs to decide',
    description:
      "By status (`pending_review` is the review queue) and seller, oldest first. Each request with its approvals, the seller's account status and requirements, Stripe's available balance and the ledger's (read live), recent orders, refunds and disputes, and the risk flags with the reason each fired. At most 50 a page.",
  })
  @ApiPageResponse(PayoutReviewResponse)
  async list(@Query() query: ListPayoutRequestsQuery): Promise<Page<PayoutReviewResponse>> {
    return mapPage(await this.queue.list(query), (v) => toPayoutReviewResponse(v, this.queue.thresholds));
  }

  @Get('risk-thresholds')
  @ApiOperation({ summary: 'The thresholds of the risk flags', description: 'PayoutRiskConfig as data, for the console; rates in basis points.' })
  @ApiAnswer(PayoutRiskThresholdsResponse)
  thresholds(): PayoutRiskThresholdsResponse {
    return { ...this.queue.thresholds };
  }

  @Get('hold-limit')
  @ApiOperation({
    summary: "Sellers near or past Stripe's manual-payout hold limit",
    description:
      'Sellers whose oldest unpaid available funds are within PAYOUT_HOLD_LIMIT_WARN_DAYS of the limit for their country (Stripe: 10 days in Thailand, 2 years in the US, 90 days elsewhere), or past it; soonest deadline first. The worker logs each at error (`alert: payout_hold_limit`).',
  })
  @ApiAnswer(HoldLimitListResponse)
  async holdLimit(): Promise<HoldLimitListResponse> {
    return { data: (await this.queue.holdLimit()).map(toHoldLimitStandingResponse) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One payout request, with what an admin needs to decide', description: 'As in the list; the balances are read live.' })
  @ApiAnswer(PayoutReviewResponse)
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async detail(@Param('id', uuid) id: string): Promise<PayoutReviewResponse> {
    return toPayoutReviewResponse(await this.queue.detail(id), this.queue.thresholds);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Approve a payout request',
    description:
      'One approval by this admin; the last one it needs (approvalsRequired: 2 above the two-person threshold, from distinct admins, never the requester) moves it to approved. The database holds the same rule.',
  })
  @ApiAnswer(PayoutDecisionResponse)
  @ApiErrors({ 403: ['PAYOUTS.REQUESTER_CANNOT_APPROVE'], 404: ['NOT_FOUND'], 409: ['PAYOUTS.ALREADY_APPROVED_BY_YOU', 'PAYOUTS.NOT_IN_REVIEW'] })
  async approve(@CurrentPrincipal() admin: Principal, @Param('id', uuid) id: string, @Body() body: ApprovePayoutDto, @RequestIdempotencyKey() idempotencyKey: string): Promise<PayoutDecisionResponse> {
    const decision = await this.review.approve(id, admin, body.reason ?? null, idempotencyKey);
    return toPayoutDecisionResponse(decision.request, decision.approvals);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Reject a payout request', description: 'A held, pending_review, approved (not yet started), frozen or failed request; `reason` is what the seller is shown.' })
  @ApiAnswer(PayoutDecisionResponse)
  @ApiErrors({ 400: ['PAYOUTS.REASON_REQUIRED'], 404: ['NOT_FOUND'], 409: ['PAYOUTS.NOT_REJECTABLE'] })
  async reject(@CurrentPrincipal() admin: Principal, @Param('id', uuid) id: string, @Body() body: RejectPayoutDto): Promise<PayoutDecisionResponse> {
    const decision = await this.review.reject(id, admin, body.reason);
    return toPayoutDecisionResponse(decision.request, decision.approvals);
  }
}
