import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
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
@ApiBearerAuth()
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
  async createConnectedAccount(@CurrentPrincipal() principal: Principal, @Body() body: CreateConnectedAccountDto, @Res({ passthrough: true }) res: Response): Promise<SellerResponse> {
    const { account, created } = await this.accounts.open(principal, body);
    res.status(created ? 201 : 200);
    return toSellerResponse(account);
  }

  @Roles('seller')
  @Get('sellers/me')
  async me(@CurrentPrincipal() principal: Principal): Promise<SellerResponse> {
    const account = await this.sellers.find(principal.id);
    return account ? toSellerResponse(account) : toNoAccountResponse(principal.id);
  }

  @Roles('seller')
  @Post('sellers/me/onboarding-link')
  async myOnboardingLink(@CurrentPrincipal() principal: Principal): Promise<OnboardingLinkResponse> {
    return toOnboardingLinkResponse(await this.links.onboardingLink(principal.id));
  }

  @Roles('seller')
  @Post('sellers/me/dashboard-link')
  async myDashboardLink(@CurrentPrincipal() principal: Principal): Promise<DashboardLinkResponse> {
    return this.links.dashboardLink(principal.id);
  }

  @Roles('admin')
  @Get('admin/sellers')
  async list(@Query() query: ListSellersQuery): Promise<{ data: SellerResponse[]; total: number }> {
    const { data, total } = await this.sellers.list(query);
    return { data: data.map(toSellerResponse), total };
  }

  /** One seller: the seller themself or an admin; anyone else gets 404. */
  @Roles('seller', 'admin')
  @Get('sellers/:sellerId')
  async get(@CurrentPrincipal() principal: Principal, @Param('sellerId', uuid) sellerId: string): Promise<SellerResponse> {
    return toSellerResponse(ensureVisibleTo(principal, await this.sellers.find(sellerId), (a) => [a.sellerId], 'Seller', sellerId));
  }

  /** An onboarding link for a seller (an admin can hand one to a seller). */
  @Roles('seller', 'admin')
  @Post('sellers/:sellerId/onboarding-link')
  async onboardingLink(@CurrentPrincipal() principal: Principal, @Param('sellerId', uuid) sellerId: string): Promise<OnboardingLinkResponse> {
    ensureVisibleTo(principal, await this.sellers.find(sellerId), (a) => [a.sellerId], 'Seller', sellerId);
    return toOnboardingLinkResponse(await this.links.onboardingLink(sellerId));
  }
}
