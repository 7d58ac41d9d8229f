import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../identity/auth.decorators.js';
import { OnboardingReturnQuery } from './dto/onboarding-return.query.js';
import { OnboardingLinksService } from './onboarding-links.service.js';
import { renderOnboardingReturnPage } from './onboarding-return.page.js';
import { OnboardingReturnResponse, toOnboardingReturnResponse } from './seller.mapper.js';

/**
 * Where Stripe's hosted onboarding sends the seller's browser (refresh_url and return_url). No API
 * key: a browser has none. The URLs carry the seller's link token instead.
 */
@ApiTags('onboarding (browser)')
@Public()
@Controller('onboarding')
export class OnboardingPagesController {
  constructor(private readonly links: OnboardingLinksService) {}

  /** The link expired or was used: create a new one and send the browser there (303). */
  @Get('refresh')
  async refresh(@Query() query: OnboardingReturnQuery, @Res() res: Response): Promise<void> {
    const link = await this.links.refreshLink(query.account, query.token);
    res.redirect(303, link.url);
  }

  /** Back from onboarding: re-read the account from Stripe and show where the seller stands. */
  @Get('return')
  @ApiProduces('text/html', 'application/json')
  @ApiOkResponse({ type: OnboardingReturnResponse })
  async returned(@Query() query: OnboardingReturnQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    const view = toOnboardingReturnResponse(await this.links.returned(query.account, query.token));
    res.setHeader('Cache-Control', 'no-store');
    if (req.accepts(['text/html', 'application/json']) === 'application/json') res.json(view);
    else res.type('html').send(renderOnboardingReturnPage(view));
  }
}
