import type Stripe from 'stripe';
import { randomBytes } from 'node:crypto';
import { newId } from '../core/ids.js';
import { LIST_SCHEMA } from '../core/lists.js';
import { invalidRequest } from '../http/errors.js';
import { listOf as listSpec, req, validate, mergeMetadata } from '../http/params.js';
import type { Router } from '../http/router.js';
import { API_VERSION } from '../engine/sandbox.js';
import { listOf, owned } from './common.js';

function typeMatches(pattern: string, type: string): boolean {
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type || pattern === '*';
}

export function registerEvents(router: Router): void {
  router.add('GET', '/v1/events', (sb, r) => {
    const p = validate(r.form, { ...LIST_SCHEMA, created: 'range', type: 'string', types: listSpec('string'), delivery_success: 'boolean' });
    const type = p.str('type');
    const types = p.strs('types');
    if (type && types.length) throw invalidRequest('You may only specify one of these parameters: type, types.', 'types');
    const delivered = p.bool('delivery_success');
    return listOf(
      sb.state.events,
      r.ctx.account,
      p,
      '/v1/events',
      (row) =>
        (!type || typeMatches(type, row.obj.type)) && (types.length === 0 || types.some((t) => typeMatches(t, row.obj.type))) && (delivered === undefined || (row.x.pending === 0) === delivered),
      'event',
    );
  });
  router.add('GET', '/v1/events/:id', (sb, r) => {
    validate(r.form, {});
    return owned(sb.state.events, r.pathParams.id, r.ctx.account, 'event').obj;
  });

  router.add('POST', '/v1/webhook_endpoints', (sb, r) => {
    const p = validate(r.form, { url: req('string'), enabled_events: req(listSpec('string')), connect: 'boolean', description: 'string', metadata: 'metadata', api_version: 'string' });
    if (r.ctx.connected) throw invalidRequest('Webhook endpoints are created by the platform.', undefined);
    const url = p.str('url')!;
    if (!/^https?:\/\//.test(url)) throw invalidRequest('Invalid URL: must be an http(s) URL.', 'url', 'url_invalid');
    const secret = `whsec_${randomBytes(24).toString('hex')}`;
    const endpoint: Stripe.WebhookEndpoint = {
      id: newId('we'),
      object: 'webhook_endpoint',
      api_version: p.str('api_version') ?? API_VERSION,
      application: p.bool('connect') ? `ca_${r.ctx.platform.slice(5)}` : null,
      created: sb.now(),
      description: p.str('description') ?? null,
      enabled_events: p.strs('enabled_events'),
      livemode: false,
      metadata: p.meta('metadata') ?? {},
      status: 'enabled',
      url,
    };
    sb.state.webhookEndpoints.insert(endpoint, r.ctx.platform, { platform: r.ctx.platform, secret, connect: p.bool('connect') ?? false });
    // The secret is shown once, on creation, as Stripe does.
    return { ...endpoint, secret };
  });
  router.add('GET', '/v1/webhook_endpoints', (sb, r) => {
    const p = validate(r.form, LIST_SCHEMA);
    return listOf(sb.state.webhookEndpoints, r.ctx.platform, p, '/v1/webhook_endpoints', undefined, 'webhook_endpoint');
  });
  router.add('GET', '/v1/webhook_endpoints/:id', (sb, r) => {
    validate(r.form, {});
    return owned(sb.state.webhookEndpoints, r.pathParams.id, r.ctx.platform, 'webhook endpoint').obj;
  });
  router.add('POST', '/v1/webhook_endpoints/:id', (sb, r) => {
    const p = validate(r.form, { url: 'string', enabled_events: listSpec('string'), disabled: 'boolean', description: 'string', metadata: 'metadata' });
    const we = owned(sb.state.webhookEndpoints, r.pathParams.id, r.ctx.platform, 'webhook endpoint').obj;
    if (p.str('url')) we.url = p.str('url')!;
    if (p.has('enabled_events')) we.enabled_events = p.strs('enabled_events');
    if (p.has('disabled')) we.status = p.bool('disabled') ? 'disabled' : 'enabled';
    if (p.has('description')) we.description = p.str('description') ?? null;
    we.metadata = mergeMetadata(we.metadata, p.meta('metadata'), p.isNull('metadata'));
    return we;
  });
  router.add('DELETE', '/v1/webhook_endpoints/:id', (sb, r) => {
    validate(r.form, {});
    const row = owned(sb.state.webhookEndpoints, r.pathParams.id, r.ctx.platform, 'webhook endpoint');
    sb.state.webhookEndpoints.remove(row.obj.id);
    const deleted: Stripe.DeletedWebhookEndpoint = { id: row.obj.id, object: 'webhook_endpoint', deleted: true };
    return deleted;
  });
}
