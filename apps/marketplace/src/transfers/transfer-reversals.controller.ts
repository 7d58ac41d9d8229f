import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-answer.js';
import { ApiErrors } from '../common/error-response.js';
import { ApiPageResponse, mapPage, type Page } from '../common/page.js';
import { CurrentPrincipal, Roles } from '../identity/auth.decorators.js';
import type { Principal } from '../identity/principal.entity.js';
import { ListTransferReversalsQuery } from './dto/list-transfers.query.js';
import { toTransferReversalResponse, TransferReversalResponse } from './seller-debts.mapper.js';
import { TransferReversalsService } from './transfer-reversals.service.js';

@ApiTags('transfers')
@Controller()
export class TransferReversalsController {
  constructor(private readonly reversals: TransferReversalsService) {}

  @Roles('admin')
  @Get('admin/transfer-reversals')
  @ApiOperation({ summary: 'List transfer reversals', description: 'By status and seller, newest first; `failed` lists those Stripe refused for good, waiting for an admin (retry or cancel).' })
  @ApiPageResponse(TransferReversalResponse)
  async list(@Query() query: ListTransferReversalsQuery): Promise<Page<TransferReversalResponse>> {
    return mapPage(await this.reversals.list(query), toTransferReversalResponse);
  }

  @Roles('admin')
  @Post('admin/transfer-reversals/:id/retry')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Retry a failed transfer reversal',
    description: 'A new attempt under a new key (`transfer-reversal:<refund or dispute>:<seller>:<n>`), made by the reversal worker. One already pending again answers as it is.',
  })
  @ApiAnswer(TransferReversalResponse)
  @ApiErrors({ 404: ['NOT_FOUND'], 409: ['TRANSFERS.NOT_RETRYABLE'] })
  async retry(@Param('id') id: string): Promise<TransferReversalResponse> {
    return toTransferReversalResponse(await this.reversals.retry(id));
  }

  @Roles('admin')
  @Post('admin/transfer-reversals/:id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a failed transfer reversal',
    description: "Nothing moves: the platform bears the seller's part of the refund (or lost dispute); the admin is recorded (`canceledBy`). A canceled one answers as it is.",
  })
  @ApiAnswer(TransferReversalResponse)
  @ApiErrors({ 404: ['NOT_FOUND'], 409: ['TRANSFERS.NOT_CANCELABLE'] })
  async cancel(@CurrentPrincipal() admin: Principal, @Param('id') id: string): Promise<TransferReversalResponse> {
    return toTransferReversalResponse(await this.reversals.cancel(id, admin));
  }
}
