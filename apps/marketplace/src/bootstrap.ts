import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Express, NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { runMigrations } from '../../../migrations/run-migrations.js';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { MetricsRegistry } from './metrics/metrics-registry.js';
import { WebhookReceiver } from './webhooks/webhook-receiver.js';
import { answerClientErrorsAsJson } from './common/client-errors.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { PinoNestLogger } from './common/logger.js';
import { requestContext } from './common/request-context.js';
import { refuseNulInUrl, RequestBodyGuard, useJsonBodies } from './common/request-body.js';
import { createValidationPipe } from './common/validation.js';
import { serveOpenApiDocument } from './docs/openapi.document.js';
import type { Configuration } from './config/configuration.js';

export interface MarketplaceAppOptions {
  configuration: Configuration;
  databaseUrl: string;
  logger: Logger;
  imports?: AppModuleOptions['imports'];
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Builds the HTTP app (not yet listening) exactly as production runs it; tests use the same. */
export async function createMarketplaceApp(options: MarketplaceAppOptions): Promise<NestExpressApplication> {
  const { configuration, databaseUrl, logger } = options;
  if (configuration.app.MIGRATIONS_RUN) await applyMigrations(databaseUrl, logger);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(options), {
    abortOnError: false, // let the caller report boot errors (and tests see them)
    bodyParser: false, // JSON only, mounted below (useJsonBodies); webhooks read their raw bytes themselves
    rawBody: true, // useJsonBodies tells a JSON body (and its size) by req.rawBody
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
  });
  app.disable('x-powered-by');
  answerClientErrorsAsJson(app.getHttpServer());
  app.set('trust proxy', 'loopback');
  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    requestContext.run({ requestId }, next);
  });
  // every request's latency by route and status, the webhook deliveries too (GET /metrics)
  app.use(app.get(MetricsRegistry).httpMiddleware());
  // Stripe's deliveries go ahead of Nest's router and body parsers: read raw once, verified,
  // stored, acknowledged (the ingest hot path; see bench/README.md). No access-log line: the inbox
  // row is the record of each delivery, and failures are logged.
  const receiver = app.get(WebhookReceiver);
  const server = app.getHttpAdapter().getInstance() as Express;
  server.post('/webhooks/stripe', receiver.handler('platform'));
  server.post('/webhooks/stripe/connect', receiver.handler('connect'));
  server.post('/webhooks/stripe/events', receiver.handler('events'));
  app.use(
    pinoHttp({
      logger: logger.child({ component: 'http' }),
      genReqId: (_req, res) => String(res.getHeader('x-request-id')),
      quietReqLogger: true,
      // Only what is safe to keep: no headers (Authorization, Stripe-Signature), no bodies.
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    }),
  );
  // JSON bodies only, checked (depth, prototype keys, NUL, lone surrogates) before anything reads them
  app.use(refuseNulInUrl);
  useJsonBodies(app);
  app.useGlobalGuards(new RequestBodyGuard());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter(logger.child({ component: 'errors' })));

  // the OpenAPI document at /docs (UI), /docs/openapi.json and /docs/openapi.yaml
  serveOpenApiDocument(app);
  return app;
}

/** Worker role without HTTP: the same modules, background loops only. */
export async function createMarketplaceWorker(options: MarketplaceAppOptions): Promise<INestApplicationContext> {
  const { configuration, databaseUrl, logger } = options;
  if (configuration.app.MIGRATIONS_RUN) await applyMigrations(databaseUrl, logger);
  const ctx = await NestFactory.createApplicationContext(AppModule.register(options), {
    abortOnError: false,
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
  });
  return ctx;
}

async function applyMigrations(databaseUrl: string, logger: Logger): Promise<void> {
  const applied = await runMigrations(databaseUrl);
  if (applied.length) logger.info({ migrations: applied }, 'applied database migrations');
}
