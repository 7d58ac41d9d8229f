import { type INestApplication, ParseUUIDPipe, type Type } from '@nestjs/common';
import { METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ERROR_CODES_EXTENSION, ErrorResponse } from '../common/error-response.js';
import { IS_PUBLIC, REQUIRED_ROLES } from '../identity/auth.decorators.js';
import type { PrincipalRole } from '../identity/principal.entity.js';
import { WebhookAckResponse } from '../webhooks/webhook-ack.response.js';

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']> & Record<`x-${string}`, unknown>;
type ParameterObject = { name: string; in: string };
type ResponseObject = Exclude<OperationObject['responses'][string], { $ref: string } | undefined>;

export const DOCS_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'docs/openapi.json';
export const OPENAPI_YAML_PATH = 'docs/openapi.yaml';

export const API_KEY_SCHEME = 'api-key';

/** What the document needs of a route and cannot read from its Swagger decorators. */
interface RouteFacts {
  isPublic: boolean;
  roles: PrincipalRole[] | undefined;
  parsesUuid: boolean;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request: the request is malformed or fails validation',
  401: 'No API key, or not a live one',
  403: "The key's role may not call this route",
  404: 'Not found (or not visible to this key)',
  409: 'Conflict with the current state; see the code',
  413: 'The body is too large',
  415: 'The body is not JSON',
  422: 'Well-formed but refused; see the code',
  429: "Too many requests: too many failed authentications from this address, or over the route's limit for this key (Retry-After)",
  500: 'Internal error (logged under the request id)',
  503: 'Temporarily unavailable; retry (Retry-After when the service is busy)',
};

/**
 * The OpenAPI document of the API: Nest's routes as their decorators describe them, plus what every
 * route shares (its auth from @Public/@Roles, the error responses of the guards, pipes and filters
 * it runs through) and the Stripe webhook routes mounted ahead of Nest.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Marketplace API')
    .setDescription(
      [
        'Stripe Connect marketplace: sellers, listings, checkout, refunds, disputes, the ledger and the webhook inbox.',
        '',
        'Auth: an opaque API key (`mkt_` + 43 characters) as `Authorization: Bearer mkt_...`; each key belongs to a principal whose role (admin, seller, buyer) decides what it may call.',
        'Errors: `{ error: { code, message, details?, requestId } }`; branch on `code`.',
        'Lists: `{ data, hasMore, nextCursor }`, paged with `?limit=` (1-200, default 50) and `?startingAfter=<nextCursor>`.',
        'Money-moving POSTs need an `Idempotency-Key` header (scoped to the caller, kept 24 h).',
      ].join('\n'),
    )
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'mkt_<43 base64url characters> (an opaque key)', description: 'An API key issued by an admin: `Authorization: Bearer mkt_...`' },
      API_KEY_SCHEME,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponse, WebhookAckResponse] });
  const facts = routeFacts(app);
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation) describeOperation(operation as OperationObject, facts.get(operation.operationId ?? ''));
    }
  }
  Object.assign(document.paths, webhookPaths());
  return document;
}

/** Serves the document at /docs (the UI), /docs/openapi.json and /docs/openapi.yaml. */
export function serveOpenApiDocument(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, buildOpenApiDocument(app), { jsonDocumentUrl: OPENAPI_JSON_PATH, yamlDocumentUrl: OPENAPI_YAML_PATH });
}

// Nest's controllers, by the operation id Swagger gives their handlers (`Controller_method`).
function routeFacts(app: INestApplication): Map<string, RouteFacts> {
  const facts = new Map<string, RouteFacts>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name] as unknown;
        if (typeof handler !== 'function' || !Reflect.hasMetadata(METHOD_METADATA, handler)) continue;
        const read = <T>(key: string) => (Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller)) as T | undefined;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { pipes?: unknown[] }>;
        facts.set(`${controller.name}_${name}`, {
          isPublic: read<boolean>(IS_PUBLIC) === true,
          roles: read<PrincipalRole[]>(REQUIRED_ROLES),
          parsesUuid: Object.values(args).some((a) => (a.pipes ?? []).some((p) => p instanceof ParseUUIDPipe)),
        });
      }
    }
  }
  return facts;
}

function describeOperation(operation: OperationObject, facts: RouteFacts | undefined): void {
  // not found: left without x-roles, which test/openapi.e2e-spec.ts refuses (a doc gap must not stop the boot)
  if (!facts) return;
  const parameters = (operation.parameters ?? []) as ParameterObject[];
  const takesBody = operation.requestBody !== undefined;
  const idempotent = parameters.some((p) => p.in === 'header' && p.name === 'Idempotency-Key');
  const codes = new Map<number, Set<string>>();
  const add = (status: number, ...list: readonly string[]) => {
    const set = codes.get(status) ?? new Set<string>();
    for (const code of list) set.add(code);
    codes.set(status, set);
  };

  // the request's own errors: the URL, the body, the query, the path parameters
  add(400, 'NUL_CHARACTER', 'BIDI_CONTROL_CHARACTER');
  if (takesBody) {
    add(400, 'BAD_REQUEST', 'VALIDATION_FAILED', 'UNKNOWN_FIELD', 'BODY_TOO_DEEP', 'LONE_SURROGATE'); // BAD_REQUEST: malformed JSON
    add(413, 'PAYLOAD_TOO_LARGE');
    add(415, 'UNSUPPORTED_MEDIA_TYPE');
  } else {
    add(400, 'BODY_NOT_ALLOWED');
  }
  if (parameters.some((p) => p.in === 'query')) add(400, 'VALIDATION_FAILED', 'UNKNOWN_FIELD');
  if (parameters.some((p) => p.in === 'query' && p.name === 'startingAfter')) add(400, 'PAGINATION.INVALID_LIMIT', 'PAGINATION.INVALID_CURSOR');
  if (facts.parsesUuid) add(400, 'BAD_REQUEST');
  if (idempotent) {
    add(400, 'IDEMPOTENCY.KEY_REQUIRED', 'IDEMPOTENCY.KEY_MALFORMED');
    add(409, 'IDEMPOTENCY.IN_FLIGHT');
    add(422, 'IDEMPOTENCY.KEY_REUSED');
  }

  // auth, from the same metadata the AuthGuard reads
  if (facts.isPublic) {
    operation.security = [];
    operation['x-roles'] = [];
  } else {
    operation.security = [{ [API_KEY_SCHEME]: [] }];
    operation['x-roles'] = facts.roles ?? ['admin', 'seller', 'buyer'];
    add(401, 'AUTH.MISSING_API_KEY', 'AUTH.MALFORMED_API_KEY', 'AUTH.INVALID_API_KEY');
    if (facts.roles) add(403, 'AUTH.FORBIDDEN_ROLE');
    add(429, 'RATE_LIMITED'); // too many failed authentications from the address (RATE_LIMIT_AUTH_FAILURES)
  }
  const auth = facts.isPublic ? 'none (no API key)' : facts.roles ? `an API key of role ${facts.roles.join(' or ')}` : 'any API key (admin, seller or buyer)';
  operation.description = [`**Auth:** ${auth}.`, operation.description].filter(Boolean).join('\n\n');

  // what the route's use case declared (@ApiErrors), then what any request can meet
  const declared = (operation[ERROR_CODES_EXTENSION] ?? {}) as Record<string, string[]>;
  delete operation[ERROR_CODES_EXTENSION];
  for (const [status, list] of Object.entries(declared)) add(Number(status), ...list);
  add(500, 'INTERNAL');
  add(503, 'SERVICE.BUSY');

  for (const [status, set] of [...codes].sort(([a], [b]) => a - b)) {
    const existing = operation.responses[status] as ResponseObject | undefined;
    operation.responses[status] = errorResponse([...set], existing?.description ?? STATUS_TEXT[status] ?? `HTTP ${status}`);
  }
  (operation.responses[503] as ResponseObject).headers = { 'Retry-After': { description: 'Seconds to wait (SERVICE.BUSY)', schema: { type: 'integer' } } };
  const limited = operation.responses[429] as ResponseObject | undefined;
  if (limited) limited.headers = { 'Retry-After': { description: 'Seconds until the window ends (RATE_LIMITED)', schema: { type: 'integer' } } };
  for (const [status, response] of Object.entries(operation.responses) as Array<[string, ResponseObject]>) {
    if (!status.startsWith('2')) continue;
    if (!response.description) response.description = SUCCESS_TEXT[status] ?? 'Success';
    if (idempotent) {
      response.headers = {
        'Idempotency-Key': { description: "The request's key, echoed", schema: { type: 'string' } },
        'Idempotent-Replayed': { description: '`true` when this is the stored answer of an earlier request with the key', schema: { type: 'string', enum: ['true'] } },
      };
    }
  }
}

const SUCCESS_TEXT: Record<string, string> = { '200': 'OK', '201': 'Created' };

function errorResponse(codes: string[], description: string): ResponseObject {
  return {
    description: `${description}. Codes: ${codes.map((c) => `\`${c}\``).join(', ')}`,
    content: {
      'application/json': {
        schema: {
          allOf: [{ $ref: getSchemaPath(ErrorResponse) }, { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string', enum: codes } } } } }],
        },
      },
    },
  };
}

// Mounted on express ahead of Nest (bootstrap.ts), so Swagger cannot see them: described here.
function webhookPaths(): OpenAPIObject['paths'] {
  const SUMMARY = {
    platform: "Receive a Stripe event of the platform's account",
    connect: "Receive a Stripe Connect event (a connected account's)",
    events: 'Receive a thin event from an event destination (Accounts v2)',
  };
  const snapshotEvent = (endpoint: 'platform' | 'connect') => ({
    type: 'object' as const,
    required: ['id', 'object', 'type', 'created', 'livemode', 'data'],
    properties: {
      id: { type: 'string' as const, example: 'evt_1Nv0000000000000' },
      object: { type: 'string' as const, enum: ['event'] },
      type: { type: 'string' as const, example: endpoint === 'platform' ? 'payment_intent.succeeded' : 'account.updated' },
      created: { type: 'integer' as const, description: 'Unix seconds' },
      livemode: { type: 'boolean' as const },
      account: { type: 'string' as const, description: 'The connected account (Connect events)', example: 'acct_1Nv0000000000000' },
      data: { type: 'object' as const, properties: { object: { type: 'object' as const } } },
    },
  });
  const thinEvent = {
    type: 'object' as const,
    required: ['id', 'object', 'type', 'created', 'livemode'],
    description: 'A thin event: no object snapshot; the service fetches the event (GET /v2/core/events/:id) and the account before acting',
    properties: {
      id: { type: 'string' as const, example: 'evt_test_65R0000000000000' },
      object: { type: 'string' as const, enum: ['v2.core.event'] },
      type: { type: 'string' as const, example: 'v2.core.account[requirements].updated' },
      created: { type: 'string' as const, format: 'date-time' },
      livemode: { type: 'boolean' as const },
      context: { type: 'string' as const, description: 'The account the event happened in, if not the platform' },
      related_object: { type: 'object' as const, properties: { id: { type: 'string' as const }, type: { type: 'string' as const }, url: { type: 'string' as const } } },
    },
  };
  const operation = (endpoint: 'platform' | 'connect' | 'events'): OperationObject => ({
    operationId: `StripeWebhooks_${endpoint}`,
    tags: ['webhooks (Stripe)'],
    summary: SUMMARY[endpoint],
    description: [
      "**Auth:** none (no API key): the `Stripe-Signature` header, checked against the raw body with the endpoint's signing secrets (STRIPE_WEBHOOK_SECRETS, STRIPE_CONNECT_WEBHOOK_SECRETS for Connect, STRIPE_EVENT_DESTINATION_SECRETS for thin events; several allowed for rotation; tolerance 300 s).",
      'Called by Stripe. A verified event is stored in the inbox by its id and acknowledged at once; a duplicate delivery is acknowledged and changes nothing. A bad or missing signature is 400 and stores nothing.',
      ...(endpoint === 'events'
        ? ["An event about an account no seller owns is stored `quarantined` and not applied (one about a seller's account whose id was not stored yet is worked once it is)."]
        : []),
    ].join('\n\n'),
    security: [],
    'x-roles': [],
    parameters: [
      {
        name: 'Stripe-Signature',
        in: 'header',
        required: true,
        description: "Stripe's signature of the raw body: `t=<unix time>,v1=<hex HMAC-SHA256>`",
        schema: { type: 'string', example: 't=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd' },
      },
    ],
    requestBody: {
      required: true,
      description: 'The Stripe Event exactly as Stripe sent it: the signature covers these raw bytes (at most 1 MiB), so it must not be re-encoded on the way.',
      content: { 'application/json': { schema: endpoint === 'events' ? thinEvent : snapshotEvent(endpoint) } },
    },
    responses: {
      200: { description: 'Stored (or already stored) and acknowledged', content: { 'application/json': { schema: { $ref: getSchemaPath(WebhookAckResponse) } } } },
      400: errorResponse(
        ['WEBHOOK.MISSING_SIGNATURE', 'WEBHOOK.BAD_SIGNATURE', 'WEBHOOK.NO_SECRET_CONFIGURED', 'WEBHOOK.MALFORMED_EVENT', 'WEBHOOK.LIVEMODE_MISMATCH'],
        'Not verified: nothing stored',
      ),
      413: errorResponse(['WEBHOOK.TOO_LARGE'], 'The body is larger than 1 MiB'),
      500: errorResponse(['INTERNAL'], 'Could not store the event: not acknowledged, Stripe retries the delivery'),
    },
  });
  return {
    '/webhooks/stripe': { post: operation('platform') },
    '/webhooks/stripe/connect': { post: operation('connect') },
    '/webhooks/stripe/events': { post: operation('events') },
  };
}
