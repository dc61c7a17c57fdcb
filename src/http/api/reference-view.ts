/**
 * The API reference as an HTML page, rendered on the server from the served OpenAPI
 * document (so it shows exactly what a generated client sees): operations grouped by tag,
 * each with method and path, summary, what it must send (security), its body fields and
 * their limits, its responses, and a curl example; then the error codes. Escaped by the
 * `html` tag like every page, with no inline script or style (CSP `script-src 'self';
 * style-src 'self'`); the page chrome is in the request's language (`apiref.*`), the
 * document's own descriptions in English.
 */
import { ERROR_CODES } from '../../domain/errors.ts';
import { formatList, isMessageKey, type MessageKey } from '../../messages/catalog.ts';
import { STATUS_BY_CODE } from '../error-handler.ts';
import { html, type SafeHtml } from '../pages/views/html.ts';
import { layout, type PageContext } from '../pages/views/layout.ts';

interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  description?: string;
  examples?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
}
interface MediaType {
  schema?: Schema;
}
interface Response {
  description: string;
  headers?: Record<string, { description?: string }>;
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, Response>;
}
/** The operation's summary in the page's language (the catalog's, by operationId), else the document's. */
function summaryOf(page: PageContext, operation: { operationId?: string; summary?: string }): string {
  const key = `apiref.summary.${operation.operationId ?? ''}`;
  return isMessageKey(key) ? page.t(key) : (operation.summary ?? '');
}

export interface ApiDocument {
  info?: { title?: string };
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, { name?: string; in?: string }> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface Entry {
  method: string;
  path: string;
  operation: Operation;
}

function entries(document: ApiDocument): Entry[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ method: method.toUpperCase(), path, operation: item[method]! })),
  );
}

function refName(schema: Schema | undefined): string | undefined {
  return schema?.$ref?.split('/').pop();
}

function resolve(document: ApiDocument, schema: Schema | undefined): Schema | undefined {
  const name = refName(schema);
  return name ? document.components?.schemas?.[name] : schema;
}

function typeOf(schema: Schema): string {
  const name = refName(schema);
  if (name) return name;
  if (schema.properties) return `{ ${Object.entries(schema.properties).map(([key, value]) => `${key}: ${typeOf(value)}`).join(', ')} }`;
  if (schema.enum) return schema.enum.map(String).join(' | ');
  if (schema.type === 'array') return `${schema.items ? typeOf(schema.items) : 'unknown'}[]`;
  return Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'object');
}

/** Document prose with its `code` spans as <code>, everything escaped. */
function prose(text: string | undefined): SafeHtml {
  return html`${(text ?? '').split('`').map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part))}`;
}

function limits(page: PageContext, schema: Schema): string {
  const parts: string[] = [];
  const { minLength: min, maxLength: max } = schema;
  if (min !== undefined && max !== undefined) parts.push(page.t('apiref.length_range', { min, max }));
  else if (max !== undefined) parts.push(page.t('apiref.length_max', { max }));
  else if (min !== undefined) parts.push(page.t('apiref.length_min', { min }));
  if (schema.format) parts.push(page.t('apiref.format', { format: schema.format }));
  return parts.join('; ');
}

function fieldTable(page: PageContext, document: ApiDocument, given: Schema | undefined): SafeHtml {
  const schema = resolve(document, given);
  const properties = Object.entries(schema?.properties ?? {});
  if (properties.length === 0) return html``;
  const required = new Set(schema?.required ?? []);
  return html`<table class="api-fields">
<thead><tr><th scope="col">${page.t('apiref.field')}</th><th scope="col">${page.t('apiref.type')}</th><th scope="col">${page.t('apiref.required')}</th><th scope="col">${page.t('apiref.limits')}</th><th scope="col">${page.t('apiref.description')}</th></tr></thead>
<tbody>${properties.map(
    ([name, field]) =>
      html`<tr><th scope="row"><code>${name}</code></th><td><code>${typeOf(field)}</code></td><td>${page.t(required.has(name) ? 'apiref.yes' : 'apiref.no')}</td><td>${limits(page, field)}</td><td>${prose(field.description)}</td></tr>`,
  )}</tbody>
</table>`;
}

function securityText(page: PageContext, document: ApiDocument, security: Record<string, string[]>[] | undefined): string {
  const schemes = document.components?.securitySchemes ?? {};
  const alternatives = (security ?? []).map((requirement) => {
    const names = Object.keys(requirement);
    if (names.length === 0) return page.t('apiref.security_none');
    const parts = names.map((name) => page.t(schemes[name]?.in === 'cookie' ? 'apiref.security_cookie' : 'apiref.security_header', { name: schemes[name]?.name ?? name }));
    return formatList(parts, page.locale, 'conjunction');
  });
  return alternatives.length === 0 ? page.t('apiref.security_none') : formatList(alternatives, page.locale, 'disjunction');
}

function exampleValue(schema: Schema): unknown {
  if (schema.examples?.length) return schema.examples[0];
  if (schema.enum?.length) return schema.enum[0];
  return schema.type === 'integer' || schema.type === 'number' ? 0 : schema.type === 'boolean' ? false : '…';
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A curl command for `entry` with a cookie jar, the CSRF header where needed and an example body. */
export function curlExample(document: ApiDocument, entry: Entry): string {
  const base = document.servers?.[0]?.url ?? '';
  const needsCsrf = (entry.operation.security ?? []).some((requirement) => 'csrf' in requirement);
  const lines = ['curl -sS -b jar.txt -c jar.txt'];
  if (entry.method !== 'GET') lines.push(`-X ${entry.method}`);
  if (needsCsrf) lines.push('-H "X-CSRF-Token: $CSRF"');
  const body = resolve(document, entry.operation.requestBody?.content?.['application/json']?.schema);
  if (body?.properties) {
    const example = Object.fromEntries(Object.entries(body.properties).map(([name, field]) => [name, exampleValue(field)]));
    lines.push("-H 'Content-Type: application/json'", `-d ${shellQuote(JSON.stringify(example))}`);
  }
  lines.push(shellQuote(`${base}${entry.path}`));
  return lines.join(' \\\n  ');
}

function responseRows(page: PageContext, operation: Operation): SafeHtml[] {
  return Object.entries(operation.responses ?? {}).map(([status, response]) => {
    const media = Object.entries(response.content ?? {})[0];
    const body = media?.[1].schema ? html`<code>${typeOf(media[1].schema)}</code>` : page.t('apiref.no_body');
    const headers = Object.keys(response.headers ?? {});
    return html`<tr><th scope="row">${status}</th><td>${prose(response.description)}</td><td>${body}</td><td>${headers.map((name, i) => html`${i > 0 ? ', ' : ''}<code>${name}</code>`)}</td></tr>`;
  });
}

function operationSection(page: PageContext, document: ApiDocument, entry: Entry): SafeHtml {
  const { operation } = entry;
  const id = operation.operationId ?? `${entry.method}-${entry.path}`;
  const bodyContent = Object.entries(operation.requestBody?.content ?? {});
  return html`<section class="api-operation" id="${id}" aria-labelledby="${id}-title">
<h3 id="${id}-title"><code>${entry.method} ${entry.path}</code> · ${summaryOf(page, operation)}</h3>
${operation.description ? html`<p>${prose(operation.description)}</p>` : ''}
<dl class="profile">
<dt>${page.t('apiref.operation_id')}</dt><dd><code>${operation.operationId ?? ''}</code></dd>
<dt>${page.t('apiref.security')}</dt><dd>${securityText(page, document, operation.security)}</dd>
</dl>
${
  operation.parameters?.length
    ? html`<h4>${page.t('apiref.parameters')}</h4><ul>${operation.parameters.map((p) => html`<li><code>${p.name}</code> (${p.in}) ${prose(p.description)}</li>`)}</ul>`
    : ''
}
${bodyContent.map(([type, media]) => html`<h4>${page.t('apiref.request_body', { type })}</h4>${fieldTable(page, document, media.schema)}`)}
<h4>${page.t('apiref.responses')}</h4>
<table class="api-responses">
<thead><tr><th scope="col">${page.t('apiref.status')}</th><th scope="col">${page.t('apiref.description')}</th><th scope="col">${page.t('apiref.body')}</th><th scope="col">${page.t('apiref.headers')}</th></tr></thead>
<tbody>${responseRows(page, operation)}</tbody>
</table>
<h4>${page.t('apiref.example')}</h4>
<pre><code>${curlExample(document, entry)}</code></pre>
</section>`;
}

function errorCodes(page: PageContext, document: ApiDocument): SafeHtml {
  return html`<section aria-labelledby="error-codes"><h2 id="error-codes">${page.t('apiref.errors')}</h2>
<p>${page.t('apiref.errors_intro')}</p>
${fieldTable(page, document, { $ref: '#/components/schemas/Error' })}
<table class="api-codes">
<thead><tr><th scope="col">${page.t('apiref.code')}</th><th scope="col">${page.t('apiref.http_status')}</th><th scope="col">${page.t('apiref.message')}</th></tr></thead>
<tbody>${ERROR_CODES.map((code) => html`<tr><th scope="row"><code>${code}</code></th><td>${STATUS_BY_CODE[code]}</td><td>${page.t(`error.${code}` as MessageKey, { wait: '…' })}</td></tr>`)}</tbody>
</table></section>`;
}

export function apiReferencePage(page: PageContext, document: ApiDocument): SafeHtml {
  const all = entries(document);
  const tags = document.tags?.length ? document.tags : [{ name: '' }];
  const groups = tags.map((tag) => ({ tag, operations: all.filter((entry) => (entry.operation.tags?.[0] ?? '') === tag.name) }));
  const untagged = all.filter((entry) => !tags.some((tag) => tag.name === (entry.operation.tags?.[0] ?? '')));
  if (untagged.length > 0) groups.push({ tag: { name: '' }, operations: untagged });
  const tagTitle = (name: string) => {
    const key = `apiref.tag_${name}`;
    return isMessageKey(key) ? page.t(key) : name || page.t('apiref.other');
  };
  return layout(
    page,
    html`<h1>${page.t('apiref.title')}</h1>
<p>${page.t('apiref.intro')}</p>
<dl class="profile">
<dt>${page.t('apiref.base_url')}</dt><dd><code>${document.servers?.[0]?.url ?? ''}</code></dd>
<dt>${page.t('apiref.document')}</dt><dd><a href="/api/v1/openapi.json">/api/v1/openapi.json</a></dd>
</dl>
<p class="hint">${page.t('apiref.example_note')}</p>
<nav class="api-contents" aria-label="${page.t('apiref.contents')}"><ul>${all.map(
      (entry) => html`<li><a href="#${entry.operation.operationId ?? ''}"><code>${entry.method} ${entry.path}</code></a> · ${summaryOf(page, entry.operation)}</li>`,
    )}</ul></nav>
${groups
  .filter((group) => group.operations.length > 0)
  .map(
    (group) => html`<section aria-labelledby="tag-${group.tag.name}"><h2 id="tag-${group.tag.name}">${tagTitle(group.tag.name)}</h2>
${group.operations.map((entry) => operationSection(page, document, entry))}</section>`,
  )}
${errorCodes(page, document)}`,
  );
}
