import { Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-answer.js';
import { ApiErrors } from '../common/error-response.js';
import { Idempotent, RequestIdempotencyKey } from '../common/idempotency/idempotent.decorator.js';
import { CurrentPrincipal, Roles } from '../identity/auth.decorators.js';
import type { Principal } from '../identity/principal.entity.js';
import { PayoutExecutionResponse, toPayoutExecutionResponse } from './payout-execution.mapper.js';
import { PayoutRetry } from './payout-retry.service.js';

@ApiTags('payouts')
@Controller()
export class PayoutRetryController {
  constructor(private readonly retries: PayoutRetry) {}

  @Roles('admin')
  @Post('admin/payouts/:id/retry')
  @HttpCode(200)
  @Idempotent({ intents: 'payout_retries' })
  @ApiOperation({
    summary: 'Make a new attempt for a failed payout request',
    description:
      'After the seller acted on the remedy (e.g. a new bank account): the request goes back to approved (its approvals still hold) and the execution worker checks the freezes again and makes a new attempt with a new key (`payout:<attemptId>`).',
  })
  @ApiAnswer(PayoutExecutionResponse)
  @ApiErrors({ 404: ['NOT_FOUND'], 409: ['PAYOUTS.NOT_RETRYABLE', 'PAYOUTS.OPEN_REQUEST_EXISTS'] })
  async retry(@CurrentPrincipal() admin: Principal, @Param('id', new ParseUUIDPipe()) id: string, @RequestIdempotencyKey() key: string): Promise<PayoutExecutionResponse> {
    const { request, attempts } = await this.retries.retry(id, admin, key);
    return toPayoutExecutionResponse(request, attempts);
  }
}
