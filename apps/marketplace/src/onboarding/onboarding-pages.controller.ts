import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrors } from '../common/error-response.js';
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
  @ApiOperation({
    summary: "Stripe's refresh_url: a new onboarding link (303)",
    description: 'The link expired or was used: creates a new one and redirects the browser there. The account and token come from the link we made.',
  })
  @ApiResponse({ status: 303, description: 'To the new Stripe onboarding link', headers: { Location: { description: "Stripe's hosted onboarding URL", schema: { type: 'string' } } } })
  @ApiErrors({ 404: ['NOT_FOUND'], 409: ['ONBOARDING.ACCOUNT_CLOSED'] })
  async refresh(@Query() query: OnboardingReturnQuery, @Res() res: Response): Promise<void> {
    const link = await this.links.refreshLink(query.account, query.token);
    res.redirect(303, link.url);
  }

  /** Back from onboarding: re-read the account from Stripe and show where the seller stands. */
  @Get('return')
  @ApiOperation({
    summary: "Stripe's return_url: where the seller stands after onboarding",
    description: 'Re-reads the account from Stripe. An HTML page for a browser; JSON when the client prefers application/json.',
  })
  @ApiExtraModels(OnboardingReturnResponse)
  @ApiOkResponse({
    description: 'Where the seller stands',
    content: {
      'text/html': { schema: { type: 'string', description: 'A page showing the same' } },
      'application/json': { schema: { $ref: getSchemaPath(OnboardingReturnResponse) } },
    },
  })
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async returned(@Query() query: OnboardingReturnQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    const view: OnboardingReturnResponse = toOnboardingReturnResponse(await this.links.returned(query.account, query.token));
    res.setHeader('Cache-Control', 'no-store');
    if (req.accepts(['text/html', 'application/json']) === 'application/json') res.json(view);
    else res.type('html').send(renderOnboardingReturnPage(view));
  }
}
