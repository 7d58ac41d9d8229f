import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../identity/auth.decorators.js';
import { renderCheckoutCancelPage, renderCheckoutNotFoundPage, renderCheckoutSuccessPage } from './checkout-result.page.js';
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
  @ApiProduces('text/html')
  @ApiQuery({ name: 'session_id', required: true, description: 'The Checkout Session id Stripe substitutes for {CHECKOUT_SESSION_ID}' })
  async success(@Query('session_id') sessionId: unknown, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    const id = typeof sessionId === 'string' && sessionId.length > 0 && sessionId.length <= 255 ? sessionId : null;
    const view = id ? await this.results.bySession(id) : null;
    if (view) res.type('html').send(renderCheckoutSuccessPage(view));
    else res.status(404).type('html').send(renderCheckoutNotFoundPage(id));
  }

  /** The buyer left Stripe's page without paying. */
  @Get('cancel')
  @ApiProduces('text/html')
  cancel(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(renderCheckoutCancelPage());
  }
}
