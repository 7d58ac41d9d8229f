import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../identity/auth.decorators.js';
import { MetricsRegistry } from './metrics-registry.js';

@ApiTags('metrics')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Roles('admin')
  @Get('metrics')
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'The Prometheus text format: HTTP latency by route and status, the webhook inbox, transfers, payouts and refunds by status with their oldest waiting, the Stripe request budget and 429s, reconciliation. The database gauges are read at scrape time. See README, *Metrics*.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'text/plain; version=0.0.4 (Prometheus exposition format)', content: { 'text/plain': { schema: { type: 'string' } } } })
  async scrape(@Res() res: Response): Promise<void> {
    const body = await this.metrics.registry.metrics();
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(body);
  }
}
