import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-answer.js';
import { ApiErrors } from '../common/error-response.js';
import { ApiPageResponse, mapPage, type Page } from '../common/page.js';
import { CurrentPrincipal, Roles } from '../identity/auth.decorators.js';
import type { Principal } from '../identity/principal.entity.js';
import { ListSellerTransfersQuery, ListTransfersQuery } from './dto/list-transfers.query.js';
import { toTransferResponse, TransferResponse } from './transfers.mapper.js';
import { TransfersService } from './transfers.service.js';

@ApiTags('transfers')
@Controller()
export class TransfersController {
  constructor(private readonly transfers: TransfersService) {}

  @Roles('seller')
  @Get('sellers/me/transfers')
  @ApiOperation({ summary: "The seller's own transfers", description: 'Pending (with why one waits), made and failed, each with its order; newest first.' })
  @ApiPageResponse(TransferResponse)
  async mine(@CurrentPrincipal() seller: Principal, @Query() query: ListSellerTransfersQuery): Promise<Page<TransferResponse>> {
    return mapPage(await this.transfers.list({ ...query, sellerId: seller.id }), toTransferResponse);
  }

  @Roles('admin')
  @Get('admin/transfers')
  @ApiOperation({ summary: 'List transfers', description: 'By status and seller, newest first; `failed` lists those waiting for an admin (retry or cancel).' })
  @ApiPageResponse(TransferResponse)
  async list(@Query() query: ListTransfersQuery): Promise<Page<TransferResponse>> {
    return mapPage(await this.transfers.list(query), toTransferResponse);
  }

  @Roles('admin')
  @Post('admin/transfers/:id/retry')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Retry a failed transfer',
    description: 'A new attempt under a new key (`transfer:<id>:<n>`), made by the transfers worker. A transfer already pending again answers as it is.',
  })
  @ApiAnswer(TransferResponse)
  @ApiErrors({ 404: ['NOT_FOUND'], 409: ['TRANSFERS.NOT_RETRYABLE'] })
  async retry(@Param('id') id: string): Promise<TransferResponse> {
    return toTransferResponse(await this.transfers.retry(id));
  }

  @Roles('admin')
  @Post('admin/transfers/:id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a transfer',
    description:
      "A failed transfer, or a pending one never sent to Stripe. Nothing moves: the seller's share stays owed in the ledger. A canceled transfer answers as it is. One that may have been sent (submitting, or its key sent) is looked up at Stripe first: found, it is recorded succeeded (409 TRANSFERS.MADE_AT_STRIPE); not found, it is canceled only if its key is older than Stripe's 24 h memory or the seller cannot receive transfers (else 409 TRANSFERS.MAY_STILL_BE_MADE).",
  })
  @ApiAnswer(TransferResponse)
  @ApiErrors({ 404: ['NOT_FOUND'], 409: ['TRANSFERS.NOT_CANCELABLE', 'TRANSFERS.MADE_AT_STRIPE', 'TRANSFERS.MAY_STILL_BE_MADE'] })
  async cancel(@CurrentPrincipal() admin: Principal, @Param('id') id: string): Promise<TransferResponse> {
    return toTransferResponse(await this.transfers.cancel(id, admin));
  }
}
