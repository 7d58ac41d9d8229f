import type Stripe from 'stripe';
import { randomBytes } from 'node:crypto';
import { newId } from '../core/ids.js';
import { checkJson, includes, rfc3339, str, v2Error, v2Page, v2ParamError } from '../http/json-params.js';
import type { Router } from '../http/router.js';
import type { Row } from '../core/store.js';
import type { Sandbox } from '../engine/sandbox.js';
import type { EventDestinationInternals } from '../engine/state.js';

// Events v2 and event destinations: `GET /v2/core/events/:id` answers the whole event a thin
// delivery points at; `POST/GET /v2/core/event_destinations` registers webhook endpoints for thin
// events. The signing secret is in the answer only when asked for on creation ("only includable on
// creation": `include: ['webhook_endpoint.signing_secret']`), and `webhook_endpoint.url` only when included.

const CREATE_INCLUDES = ['webhook_endpoint.signing_secret', 'webhook_endpoint.url'];
const READ_INCLUDES = ['webhook_endpoint.url'];

function render(d: Stripe.V2.Core.EventDestination, secret: string, include: string[]): Stripe.V2.Core.EventDestination {
  const { webhook_endpoint, ...rest } = d;
  const out: Stripe.V2.Core.EventDestination = structuredClone(rest);
  if (webhook_endpoint) {
    out.webhook_endpoint = {};
    if (include.includes('webhook_endpoint.url')) out.webhook_endpoint.url = webhook_endpoint.url;
    if (include.includes('webhook_endpoint.signing_secret')) out.webhook_endpoint.signing_secret = secret;
  }
  return out;
}

function checkIncludes(list: string[], allowed: string[]): string[] {
  for (const i of list) if (!allowed.includes(i)) throw v2ParamError(`include: '${i}' is not one of ${allowed.join(', ')}.`);
  return list;
}

export function registerEventsV2(router: Router): void {
  router.add('GET', '/v2/core/events', (sb, r) => {
    // newest first
    const q = r.form;
    const objectId = typeof q.object_id === 'string' ? q.object_id : undefined;
    const types = includes(q.types);
    const all = sb.state.v2Events
      .owned(r.ctx.platform)
      .map((row) => row.obj)
      .filter((e) => (!objectId || ('related_object' in e && e.related_object && 'id' in e.related_object && e.related_object.id === objectId)) && (!types.length || types.includes(e.type)))
      .reverse();
    const keep: Array<[string, string]> = [...(objectId ? [['object_id', objectId] as [string, string]] : []), ...types.map((t, i): [string, string] => [`types[${i}]`, t])];
    return v2Page(all, q, '/v2/core/events', keep);
  });
  router.add('GET', '/v2/core/events/:id', (sb, r) => {
    const row = sb.state.v2Events.get(r.pathParams.id);
    if (!row || row.x.platform !== r.ctx.platform) throw v2Error(404, 'invalid_request_error', 'resource_missing', `No such event: '${r.pathParams.id}'`);
    return row.obj;
  });
  router.add('POST', '/v2/core/event_destinations', (sb, r) => {
    const body = checkJson(r.json, {
      name: 'string',
      description: 'string',
      type: ['webhook_endpoint', 'amazon_eventbridge', 'azure_event_grid'],
      event_payload: ['thin', 'snapshot'],
      enabled_events: 'string[]',
      events_from: 'string[]',
      snapshot_api_version: 'string',
      webhook_endpoint: { url: 'string' },
      include: 'string[]',
      metadata: 'metadata',
    });
    const include = checkIncludes(includes(body.include), CREATE_INCLUDES);
    for (const k of ['name', 'type', 'event_payload'] as const) if (!str(body, k)) throw v2ParamError(`${k} is required.`, 'parameter_missing');
    const enabled = body.enabled_events as string[] | undefined;
    if (!enabled?.length) throw v2ParamError('enabled_events is required.', 'parameter_missing');
    if (str(body, 'type') !== 'webhook_endpoint') throw v2ParamError('The sandbox delivers only to webhook_endpoint event destinations.', 'parameter_invalid');
    const url = str(body, 'webhook_endpoint', 'url');
    if (!url || !/^https?:\/\//.test(url)) throw v2ParamError('webhook_endpoint.url is required (an http(s) URL) for a webhook_endpoint destination.', 'parameter_missing');
    if (str(body, 'event_payload') === 'snapshot') throw v2ParamError('The sandbox sends only thin events to event destinations (event_payload: thin).', 'parameter_invalid');
    const now = rfc3339(sb.now());
    const dest: Stripe.V2.Core.EventDestination = {
      id: newId('ed_test', 24),
      object: 'v2.core.event_destination',
      created: now,
      updated: now,
      description: str(body, 'description') ?? '',
      enabled_events: [...enabled],
      event_payload: 'thin',
      events_from: (body.events_from as string[] | undefined) ?? ['self'],
      livemode: false,
      metadata: { ...((body.metadata as Record<string, string> | undefined) ?? {}) },
      name: str(body, 'name')!,
      status: 'enabled',
      type: 'webhook_endpoint',
      webhook_endpoint: { url },
    };
    const secret = `whsec_${randomBytes(24).toString('hex')}`;
    sb.state.eventDestinations.insert(dest, r.ctx.platform, { platform: r.ctx.platform, secret });
    return render(dest, secret, include);
  });
  router.add('GET', '/v2/core/event_destinations', (sb, r) => {
    const include = checkIncludes(includes(r.form.include), READ_INCLUDES);
    const data = sb.state.eventDestinations.owned(r.ctx.platform).map((row) => render(row.obj, row.x.secret, include));
    return { data, next_page_url: null, previous_page_url: null };
  });
  router.add('GET', '/v2/core/event_destinations/:id', (sb, r) => {
    const include = checkIncludes(includes(r.form.include), READ_INCLUDES);
    const row = destinationRow(sb, r.pathParams.id);
    return render(row.obj, row.x.secret, include);
  });
  router.add('POST', '/v2/core/event_destinations/:id', (sb, r) => {
    const body = checkJson(r.json, { name: 'string', description: 'string', enabled_events: 'string[]', metadata: 'metadata', webhook_endpoint: { url: 'string' }, include: 'string[]' });
    const include = checkIncludes(includes(body.include), READ_INCLUDES);
    const row = destinationRow(sb, r.pathParams.id);
    const d = row.obj;
    const name = str(body, 'name');
    if (name) d.name = name;
    if ('description' in body) d.description = str(body, 'description') ?? '';
    const enabled = body.enabled_events as string[] | undefined;
    if (enabled) {
      if (!enabled.length) throw v2ParamError('enabled_events must not be empty.');
      d.enabled_events = [...enabled];
    }
    const url = str(body, 'webhook_endpoint', 'url');
    if (url) {
      if (!/^https?:\/\//.test(url)) throw v2ParamError('webhook_endpoint.url must be an http(s) URL.');
      d.webhook_endpoint = { url };
    }
    const meta = body.metadata as Record<string, string | null> | undefined;
    if (meta) {
      const m: Record<string, string> = { ...(d.metadata ?? {}) };
      for (const [k, v] of Object.entries(meta)) {
        if (typeof v === 'string') m[k] = v;
        else delete m[k];
      }
      d.metadata = m;
    }
    d.updated = rfc3339(sb.now());
    return render(d, row.x.secret, include);
  });
  for (const action of ['disable', 'enable'] as const)
    router.add('POST', `/v2/core/event_destinations/:id/${action}`, (sb, r) => {
      checkJson(r.json, {});
      const row = destinationRow(sb, r.pathParams.id);
      row.obj.status = action === 'enable' ? 'enabled' : 'disabled';
      if (action === 'disable') row.obj.status_details = { disabled: { reason: 'user' } };
      else delete row.obj.status_details;
      row.obj.updated = rfc3339(sb.now());
      return render(row.obj, row.x.secret, []);
    });
  router.add('DELETE', '/v2/core/event_destinations/:id', (sb, r) => {
    const row = destinationRow(sb, r.pathParams.id);
    sb.state.eventDestinations.remove(row.obj.id);
    const deleted: Stripe.V2.DeletedObject = { id: row.obj.id, object: 'v2.core.event_destination' };
    return deleted;
  });
  router.add('POST', '/v2/core/event_destinations/:id/ping', (sb, r) => {
    checkJson(r.json, {});
    const row = destinationRow(sb, r.pathParams.id);
    const id = row.obj.id;
    return sb.emitV2('v2.core.event_destination.ping', { id, type: 'v2.core.event_destination', url: `/v2/core/event_destinations/${id}` }, { platform: r.ctx.platform, onlyDestination: id });
  });
}

function destinationRow(sb: Sandbox, id: string): Row<Stripe.V2.Core.EventDestination, EventDestinationInternals> {
  const row = sb.state.eventDestinations.get(id);
  if (!row || row.x.platform !== sb.ctx!.platform) throw v2Error(404, 'invalid_request_error', 'resource_missing', `No such event destination: '${id}'`);
  return row;
}
