import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * This app's Prometheus registry (its own, not prom-client's global one: a test process runs
 * several apps) with the process's default series and the HTTP latency histogram.
 */
export class MetricsRegistry {
  readonly registry = new Registry();
  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route (the route pattern, e.g. /orders/:id; "unmatched" for none) and status: latency in seconds',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Express middleware: observes every request when its response is finished. */
  httpMiddleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const started = performance.now();
      res.on('finish', () => {
        this.httpDuration.observe({ method: req.method, route: routeOf(req), status: String(res.statusCode) }, (performance.now() - started) / 1000);
      });
      next();
    };
  }
}

// The pattern the router matched, never the raw URL (ids would make a series each)
function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : 'unmatched';
}
