import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiPageResponse, type Page } from '../common/page.js';
import { CurrentPrincipal, Roles } from '../identity/auth.decorators.js';
import type { Principal } from '../identity/principal.entity.js';
import { ListOwnSellerDebtsQuery, ListSellerDebtsQuery } from './dto/list-seller-debts.query.js';
import { SellerDebtResponse, toSellerDebtResponse } from './seller-debts.mapper.js';
import { SellerDebtsService } from './seller-debts.service.js';

@ApiTags('transfers')
@Controller()
export class SellerDebtsController {
  constructor(private readonly debts: SellerDebtsService) {}

  @Roles('seller')
  @Get('sellers/me/debts')
  @ApiOperation({
    summary: "The seller's debts to the platform",
    description: 'Refund reversals their balance could not cover, with what was netted from later transfers; newest first.',
  })
  @ApiPageResponse(SellerDebtResponse)
  async mine(@CurrentPrincipal() seller: Principal, @Query() query: ListOwnSellerDebtsQuery): Promise<Page<SellerDebtResponse>> {
    return this.page({ ...query, sellerId: seller.id });
  }

  @Roles('admin')
  @Get('admin/seller-debts')
  @ApiOperation({ summary: 'List seller debts', description: 'By seller, `open=true` for those not recovered yet; newest first. Each is netted from the seller next transfers.' })
  @ApiPageResponse(SellerDebtResponse)
  async list(@Query() query: ListSellerDebtsQuery): Promise<Page<SellerDebtResponse>> {
    return this.page(query);
  }

  private async page(query: ListSellerDebtsQuery): Promise<Page<SellerDebtResponse>> {
    const page = await this.debts.list(query);
    const recoveries = await this.debts.recoveriesOf(page.data.map((d) => d.id));
    return { ...page, data: page.data.map((d) => toSellerDebtResponse(d, recoveries)) };
  }
}
