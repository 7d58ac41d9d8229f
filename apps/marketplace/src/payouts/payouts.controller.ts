import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimit } from '../rate-limits/rate-limit.guard.js';
import { ApiAnswer } from '../common/api-answer.js';
import { ApiErrors } from '../common/error-response.js';
import { Idempotent, RequestIdempotencyKey } from '../common/idempotency/idempotent.decorator.js';
import { ApiPageResponse, mapPage, type Page } from '../common/page.js';
import { PaginationQuery } from '../common/pagination.query.js';
import { CurrentPrincipal, Roles } from '../identity/auth.decorators.js';
import type { Principal } from '../identity/principal.entity.js';
import { CreatePayoutRequestDto } from './dto/create-payout-request.dto.js';
import { PayoutRequestResponse, toPayoutRequestResponse } from './payout-requests.mapper.js';
import { PayoutRequestsService } from './payout-requests.service.js';
import { SellerBalanceResponse, toSellerBalanceResponse } from './seller-balance.mapper.js';
import { SellerBalanceService } from './seller-balance.service.js';

/** A seller's own payouts: asking for one, the list with the reason of each, and the balance behind them. */
@ApiTags('payouts')
@Controller()
export class PayoutsController {
  constructor(
    private readonly requests: PayoutRequestsService,
    private readonly balances: SellerBalanceService,
  ) {}

  @Roles('seller')
  @Post('sellers/me/payouts')
  @RateLimit('payouts')
  @Idempotent({ intents: 'payout_requests' })
  @ApiOperation({
    summary: 'Request a payout',
    description:
      "Checked against the connected account's available balance at Stripe and the ledger's: above Stripe's available, below the minimum or with nothing available it is refused and nothing is made; if Stripe and the ledger differ it is made `held` (PAYOUTS.BALANCE_MISMATCH, both figures in words) and pays neither; otherwise `pending_review` for an admin. One open request per currency. The Idempotency-Key is bound to the request it makes.",
  })
  @ApiAnswer(PayoutRequestResponse, 201)
  @ApiErrors({
    400: ['PAYOUTS.INVALID_AMOUNT', 'PAYOUTS.INVALID_CURRENCY', 'VALIDATION_FAILED'],
    409: ['PAYOUTS.OPEN_REQUEST_EXISTS', 'IDEMPOTENCY.IN_FLIGHT'],
    422: ['PAYOUTS.AMOUNT_ABOVE_AVAILABLE', 'PAYOUTS.BELOW_MINIMUM', 'PAYOUTS.NOTHING_AVAILABLE', 'PAYOUTS.CURRENCY_REQUIRED', 'PAYOUTS.NO_CONNECTED_ACCOUNT', 'IDEMPOTENCY.KEY_REUSED'],
    503: ['PAYOUTS.BALANCE_UNAVAILABLE'],
  })
  async create(@CurrentPrincipal() seller: Principal, @Body() body: CreatePayoutRequestDto, @RequestIdempotencyKey() key: string): Promise<PayoutRequestResponse> {
    const request = await this.requests.create({
      sellerId: seller.id,
      currency: body.currency,
      amount: body.amount === undefined ? undefined : BigInt(body.amount),
      origin: 'seller',
      by: seller,
      idempotencyKey: key,
    });
    return toPayoutRequestResponse(request);
  }

  @Roles('seller')
  @Get('sellers/me/payouts')
  @ApiOperation({
    summary: "The seller's payout requests",
    description:
      'Newest first, each with its Stripe payout attempts (status, Stripe payout id, failure code and message), its status and, for every held, frozen, rejected or failed one, why in words.',
  })
  @ApiPageResponse(PayoutRequestResponse)
  async list(@CurrentPrincipal() seller: Principal, @Query() query: PaginationQuery): Promise<Page<PayoutRequestResponse>> {
    return mapPage(await this.requests.listOfSeller(seller.id, query), ({ request, attempts }) => toPayoutRequestResponse(request, attempts));
  }

  @Roles('seller')
  @Get('sellers/me/balance')
  @ApiOperation({
    summary: "The seller's balance, Stripe's view and the ledger's",
    description:
      "Per currency: the connected account's available and pending balance at Stripe beside the ledger's and whether they match, funds the platform holds (held transfers of multi-seller orders, with their release dates), the open request in review, the minimum payout, and `payouts`: why a payout does or does not happen, in words.",
  })
  @ApiAnswer(SellerBalanceResponse)
  @ApiErrors({ 503: ['PAYOUTS.BALANCE_UNAVAILABLE'] })
  async balance(@CurrentPrincipal() seller: Principal): Promise<SellerBalanceResponse> {
    return toSellerBalanceResponse(await this.balances.of(seller.id));
  }
}
