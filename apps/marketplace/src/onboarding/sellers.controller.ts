import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-answer.js';
import type { Response } from 'express';
import { ApiErrors } from '../common/error-response.js';
import { ApiPageResponse, mapPage, type Page } from '../common/page.js';
import { CurrentPrincipal, Roles } from '../identity/auth.decorators.js';
import { ensureVisibleTo } from '../identity/ownership.js';
import type { Principal } from '../identity/principal.entity.js';
import { ConnectedAccountsService } from './connected-accounts.service.js';
import { CreateConnectedAccountDto } from './dto/create-connected-account.dto.js';
import { ListSellersQuery } from './dto/list-sellers.query.js';
import { OnboardingLinksService } from './onboarding-links.service.js';
import { SellerAccountsService } from './seller-accounts.service.js';
import { DashboardLinkResponse, OnboardingLinkResponse, SellerResponse, toNoAccountResponse, toOnboardingLinkResponse, toSellerResponse } from './seller.mapper.js';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('sellers')
@Controller()
export class SellersController {
  constructor(
    private readonly accounts: ConnectedAccountsService,
    private readonly sellers: SellerAccountsService,
    private readonly links: OnboardingLinksService,
  ) {}

  /** Creates the seller's Stripe connected account (once: 201 the first time, 200 with the same account after). */
  @Roles('seller')
  @Post('sellers/me/connected-account')
  @ApiOperation({ summary: "Create the seller's Stripe connected account", description: 'Once: 201 the first time, 200 with the same account after.' })
  @ApiAnswer(SellerResponse, 201, 'The account was created')
  @ApiAnswer(SellerResponse, 200, 'The seller already had it')
  @ApiErrors({ 409: ['ONBOARDING.ACCOUNT_BEING_CREATED'] })
  async createConnectedAccount(@CurrentPrincipal() principal: Principal, @Body() body: CreateConnectedAccountDto, @Res({ passthrough: true }) res: Response): Promise<SellerResponse> {
    const { account, created } = await this.accounts.open(principal, body);
    res.status(created ? 201 : 200);
    return toSellerResponse(account);
  }

  @Roles('seller')
  @Get('sellers/me')
  @ApiOperation({ summary: "The calling seller's account and onboarding state" })
  @ApiAnswer(SellerResponse)
  async me(@CurrentPrincipal() principal: Principal): Promise<SellerResponse> {
    const account = await this.sellers.find(principal.id);
    return account ? toSellerResponse(account) : toNoAccountResponse(principal.id);
  }

  @Roles('seller')
  @Post('sellers/me/onboarding-link')
  @ApiOperation({ summary: "An onboarding link for the calling seller (Stripe's hosted onboarding)" })
  @ApiAnswer(OnboardingLinkResponse, 201)
  @ApiErrors({ 409: ['ONBOARDING.NO_CONNECTED_ACCOUNT', 'ONBOARDING.ACCOUNT_CLOSED'] })
  async myOnboardingLink(@CurrentPrincipal() principal: Principal): Promise<OnboardingLinkResponse> {
    return toOnboardingLinkResponse(await this.links.onboardingLink(principal.id));
  }

  @Roles('seller')
  @Post('sellers/me/dashboard-link')
  @ApiOperation({ summary: 'A login link to the Stripe Express dashboard', description: 'For sellers who can be paid out only.' })
  @ApiAnswer(DashboardLinkResponse, 201)
  @ApiErrors({ 422: ['SELLER_NOT_ACTIVE', 'SELLER_PAYOUTS_FROZEN'] })
  async myDashboardLink(@CurrentPrincipal() principal: Principal): Promise<DashboardLinkResponse> {
    return this.links.dashboardLink(principal.id);
  }

  @Roles('admin')
  @Get('admin/sellers')
  @ApiOperation({ summary: 'List sellers', description: 'Sellers with a requirements deadline first (soonest first), then the rest, oldest first.' })
  @ApiPageResponse(SellerResponse)
  async list(@Query() query: ListSellersQuery): Promise<Page<SellerResponse>> {
    return mapPage(await this.sellers.list(query), toSellerResponse);
  }

  /** One seller: the seller themself or an admin; anyone else gets 404. */
  @Roles('seller', 'admin')
  @Get('sellers/:sellerId')
  @ApiOperation({ summary: 'One seller', description: 'The seller themself or an admin; anyone else gets 404.' })
  @ApiAnswer(SellerResponse)
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async get(@CurrentPrincipal() principal: Principal, @Param('sellerId', uuid) sellerId: string): Promise<SellerResponse> {
    return toSellerResponse(ensureVisibleTo(principal, await this.sellers.find(sellerId), (a) => [a.sellerId], 'Seller', sellerId));
  }

  /** An onboarding link for a seller (an admin can hand one to a seller). */
  @Roles('seller', 'admin')
  @Post('sellers/:sellerId/onboarding-link')
  @ApiOperation({ summary: 'An onboarding link for a seller', description: 'The seller themself, or an admin to hand one to the seller.' })
  @ApiAnswer(OnboardingLinkResponse, 201)
  @ApiErrors({ 404: ['NOT_FOUND'], 409: ['ONBOARDING.NO_CONNECTED_ACCOUNT', 'ONBOARDING.ACCOUNT_CLOSED'] })
  async onboardingLink(@CurrentPrincipal() principal: Principal, @Param('sellerId', uuid) sellerId: string): Promise<OnboardingLinkResponse> {
    ensureVisibleTo(principal, await this.sellers.find(sellerId), (a) => [a.sellerId], 'Seller', sellerId);
    return toOnboardingLinkResponse(await this.links.onboardingLink(sellerId));
  }
}
