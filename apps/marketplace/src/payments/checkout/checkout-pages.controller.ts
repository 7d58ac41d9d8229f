import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiQuery, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrors } from '../../common/error-response.js';
import { Public } from '../../identity/auth.decorators.js';
import { CheckoutResultView, renderCheckoutCancelPage, renderCheckoutNotFoundPage, renderCheckoutSuccessPage } from './checkout-result.page.js';
import { CheckoutResultService } from './checkout-result.service.js';

/**
 * Where Stripe Checkout sends the buyer's browser (the default success_url and cancel_url of
 * POST /checkout). No API key: a browser has none. The session id Stripe puts in the URL finds the order.
 */
@ApiTags('checkout (browser)')
@Public()
@Controller('checkout')
export class CheckoutPagesController {
  constructor(private readonly results: CheckoutResultService) {}

  /** After paying: the order's status and total, read from our database. */
  @Get('success')
  @ApiOperation({
    summary: "Stripe Checkout's success_url: the buyer's order after paying",
    description:
      "The order's status, total and items, read from our database by the Checkout Session id. An HTML page (reloading until the webhook confirms the payment); JSON when the client prefers application/json.",
  })
  @ApiQuery({ name: 'session_id', required: true, description: 'The Checkout Session id Stripe substitutes for {CHECKOUT_SESSION_ID}' })
  @ApiExtraModels(CheckoutResultView)
  @ApiOkResponse({
    description: 'The order behind the session',
    content: {
      'text/html': { schema: { type: 'string', description: 'A page showing the same' } },
      'application/json': { schema: { $ref: getSchemaPath(CheckoutResultView) } },
    },
  })
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async success(@Query('session_id') sessionId: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    const id = typeof sessionId === 'string' && sessionId.length > 0 && sessionId.length <= 255 ? sessionId : null;
    const view = id ? await this.results.bySession(id) : null;
    const wantsJson = req.accepts(['text/html', 'application/json']) === 'application/json';
    if (view) {
      if (wantsJson) res.json(view);
      else res.type('html').send(renderCheckoutSuccessPage(view));
    } else if (wantsJson) res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No order has that Checkout Session' } });
    else res.status(404).type('html').send(renderCheckoutNotFoundPage(id));
  }

  /** The buyer left Stripe's page without paying. */
  @Get('cancel')
  @ApiOperation({ summary: "Stripe Checkout's cancel_url: the buyer left without paying", description: 'An HTML page saying nothing was charged.' })
  @ApiOkResponse({ description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } })
  cancel(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(renderCheckoutCancelPage());
  }
}
