// The deliberately broken safeguard, outside the app so no production setting can reach it: an
// HTTP proxy between the app and the sandbox that drops the Idempotency-Key header of POSTs to one
// path (e.g. /v1/transfers) and answers that path's list (the look-up the app makes before sending
// a transfer again) with nothing. Both of the transfer's guards against a second create are then off:
// with a lost response among the faults, the retry makes a second object.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface KeyStrippingProxy {
  /** Where the app's Stripe calls go (STRIPE_API_BASE). */
  url: string;
  /** Points the proxy at the sandbox; returns the proxy's own URL (the app's STRIPE_API_BASE). */
  forwardTo(targetUrl: string): string;
  close(): Promise<void>;
}

export async function startKeyStrippingProxy(strippedPath: string): Promise<KeyStrippingProxy> {
  let target: URL | undefined;
  const server = http.createServer((req, res) => {
    if (!target) {
      res.writeHead(502).end();
      return;
    }
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: target.host };
    const path = req.url?.split('?')[0];
    if (req.method === 'POST' && path === strippedPath) delete headers['idempotency-key'];
    if (req.method === 'GET' && path === strippedPath) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [], has_more: false, url: strippedPath }));
      return;
    }
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    // a response the sandbox lost (or a reset) is lost for the app too
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    forwardTo(targetUrl) {
      target = new URL(targetUrl);
      return url;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
