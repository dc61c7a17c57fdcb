/**
 * The OpenAPI 3.1 document of the JSON API, built by @fastify/swagger from each route's zod
 * schemas and metadata (operationId, security, responses), so the document cannot drift
 * from what the routes validate and serialise. Served at `GET /api/v1/openapi.json`, linted
 * with Redocly's recommended rules and turned into a client by openapi-typescript in
 * test/http/openapi.test.ts.
 *
 * Shape rules a client generator relies on:
 *  - every operation has a camelCase `operationId` and its own `security`: `session` (the
 *    session cookie) and `csrf` (the `X-CSRF-Token` header) together where a state-changing
 *    call needs both, `{}` where a call also works without them;
 *  - every failure is the one `Error` component (`$ref`), whose `error` is the enum of the
 *    stable codes (domain/errors.ts);
 *  - each operation lists only the statuses it can return; 429 and 503 carry `Retry-After`.
 * The transform keeps `headers` declared beside `content` (fastify-type-provider-zod drops
 * them), and only the components a path refers to are published.
 */
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { errorJson } from './schemas.ts';

export const CSRF_HEADER = 'X-CSRF-Token';

/** Security requirements, by what an operation needs. */
export const SECURITY = {
  /** A state-changing call: the session (or pre-session) cookie and its CSRF token. */
  sessionAndCsrf: [{ session: [], csrf: [] }],
  /** A signed-in read. */
  session: [{ session: [] }],
} as const;

/** Response headers as @fastify/swagger takes them: a JSON schema each, its description lifted out. */
type ResponseHeaders = Record<string, { description: string; type: string; minimum?: number }>;

const RETRY_AFTER: ResponseHeaders = { 'Retry-After': { description: 'Seconds to wait before trying again.', type: 'integer', minimum: 1 } };

/** A JSON response: its description says what it means, its schema what it carries. */
export function jsonResponse(schema: z.ZodType, description: string, headers?: ResponseHeaders) {
  return { description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } };
}

/** Default meanings of each error status (an operation may say more precisely). */
const ERROR_MEANINGS = {
  400: 'The body failed validation: `invalid_input`, with every problem listed in `problems`, each with its field.',
  401: 'Not signed in, or the session ended or expired: `unauthenticated`.',
  403: 'The CSRF check failed (`csrf_failed`): the `X-CSRF-Token` header is missing or belongs to another session, or the request came from another origin. Get a token with `GET /api/v1/csrf`.',
  404: 'Nothing of that id belongs to this account: `not_found`.',
  409: 'The value of `field` is already registered: `conflict`.',
  413: 'The body is larger than 64 KiB: `payload_too_large`.',
  415: 'The body is not `application/json`: `unsupported_media_type`. (HTML forms post `application/x-www-form-urlencoded` to the pages, not to the API.)',
  429: 'Too many requests from this client (or failed sign-ins for this account): `too_many_requests`. Wait the seconds in `Retry-After`.',
  500: 'An unexpected failure on the server, logged there: `internal_error`. Nothing about it is disclosed.',
  503: 'Storage is unreachable or the password-hashing queue is full: `service_unavailable`. Retry after `Retry-After` seconds.',
} as const;

export type ErrorStatus = keyof typeof ERROR_MEANINGS;

/**
 * The error responses of an operation: each status maps to its default meaning (`true`) or
 * a more precise description. All share the `Error` component; 429 and 503 carry Retry-After.
 */
export function errorResponses(statuses: Partial<Record<ErrorStatus, true | string>>) {
  const responses: Record<number, ReturnType<typeof jsonResponse>> = {};
  for (const [key, given] of Object.entries(statuses)) {
    const status = Number(key) as ErrorStatus;
    const description = given === true ? ERROR_MEANINGS[status] : given;
    responses[status] = jsonResponse(errorJson, description, status === 429 || status === 503 ? RETRY_AFTER : undefined);
  }
  return responses;
}

/** Statuses every operation can answer: the request-rate limit, an outage, a bug. */
export const ALWAYS = { 429: true, 500: true, 503: true } as const;

const zodTransform = createJsonSchemaTransform({});
const zodTransformObject = createJsonSchemaTransformObject({});

type TransformInput = Parameters<typeof zodTransform>[0];

/** The zod transform, keeping the `headers` a response declares beside its `content`. */
function transformRoute(input: TransformInput) {
  const output = zodTransform(input);
  const declared = (input.schema as { response?: Record<string, { headers?: unknown }> } | undefined)?.response ?? {};
  const responses = (output.schema as { response?: Record<string, Record<string, unknown>> }).response;
  for (const [status, response] of Object.entries(declared)) {
    const target = responses?.[status];
    if (response && typeof response === 'object' && 'headers' in response && target) target.headers = response.headers;
  }
  return output;
}

/** `$ref` targets used anywhere in `value`. */
function referencedSchemas(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencedSchemas(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string' && child.startsWith('#/components/schemas/')) found.add(child.slice('#/components/schemas/'.length));
      else referencedSchemas(child, found);
    }
  }
  return found;
}

/**
 * Components as published: the registry's schemas (zod makes an input and an output copy
 * of each) reduced to those the paths refer to, directly or through another component.
 */
function transformDocument(input: Parameters<typeof zodTransformObject>[0]) {
  const document = zodTransformObject(input) as { paths?: unknown; components?: { schemas?: Record<string, unknown> } };
  const all = document.components?.schemas ?? {};
  const used = referencedSchemas(document.paths);
  for (let size = 0; size !== used.size; ) {
    size = used.size;
    for (const name of [...used]) referencedSchemas(all[name], used);
  }
  const schemas = Object.fromEntries(Object.entries(all).filter(([name]) => used.has(name)));
  return { ...document, components: { ...document.components, schemas } } as ReturnType<typeof zodTransformObject>;
}

export const TAGS = [
  { name: 'accounts', description: 'Creating an account.' },
  { name: 'session', description: 'CSRF tokens, signing in and out, and the signed-in user.' },
  { name: 'admin', description: 'The admin console: accounts, their actions and the audit log (administrators only).' },
  { name: 'operations', description: 'Checking a deployment: how this server sees a request.' },
  { name: 'passkeys', description: 'Passkeys (WebAuthn): adding, listing, renaming and removing them, and signing in with one, usernameless or as the second step.' },
];

/** @fastify/swagger's options for the API context; `servers` are filled in per request. */
export function swaggerOptions(cookieName: string): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatehouse API',
        version: '1.0.0',
        summary: 'Register, sign in and out, and read the signed-in user.',
        description: [
          'The JSON API of Gatehouse. Bodies are `application/json` only (HTML forms use the pages, which take `application/x-www-form-urlencoded`).',
          '',
          'Flow: `GET /api/v1/csrf` sets the session cookie and answers a CSRF token; every state-changing call sends that cookie and the token as `X-CSRF-Token`. Signing in issues a new cookie and a new token (in the answer), and the old ones stop working.',
          '',
          'Failures are the `Error` shape: a stable `error` code (the same in every language) and a `message` in the request’s language (`?lang=en|es`, else `Accept-Language`).',
        ].join('\n'),
        license: { name: 'MIT', identifier: 'MIT' },
      },
      tags: TAGS,
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: cookieName, description: 'The session cookie, set by `GET /api/v1/csrf` (before sign-in) and replaced by `POST /api/v1/login`. HttpOnly, SameSite=Lax.' },
          csrf: { type: 'apiKey', in: 'header', name: CSRF_HEADER, description: 'The CSRF token bound to the session cookie: from `GET /api/v1/csrf`, or the `csrfToken` of the sign-in answer.' },
        },
      },
    },
    transform: transformRoute as FastifyDynamicSwaggerOptions['transform'],
    transformObject: transformDocument as FastifyDynamicSwaggerOptions['transformObject'],
  };
}

interface OpenApiDocument {
  info?: Record<string, unknown>;
  servers?: unknown;
  paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, Record<string, unknown>> } }> } }>>;
}

/**
 * The document as served: this server's URL (BASE_URL, known once listening) as its server
 * and its contact (whoever runs this instance answers for it), and the configured password
 * minimum on registration. Returns a copy; the cached one is untouched.
 */
export function finishDocument<T extends object>(document: T, options: { baseUrl: string; passwordMinLength: number }): T & { servers: { url: string }[] } {
  const copy = structuredClone(document) as T & OpenApiDocument;
  const password = copy.paths?.['/api/v1/register']?.post?.requestBody?.content?.['application/json']?.schema?.properties?.password;
  if (password) password.minLength = options.passwordMinLength;
  copy.info = { ...copy.info, contact: { name: 'The operator of this Gatehouse server', url: `${options.baseUrl}/` } };
  return Object.assign(copy, { servers: [{ url: options.baseUrl, description: 'This Gatehouse server.' }] });
}
