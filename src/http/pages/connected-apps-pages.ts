/**
 * Connected apps (issue #13; v5.0.0-10.7.3, v5.0.0-10.4.9): `/settings/apps` lists the grants
 * the signed-in user gave to OpenID Connect clients (client name, scopes in words, when),
 * each with a revoke form (CSRF) that deletes the grant with every code and token issued
 * under it, audited. A grant id of another user, or one already gone, is a 404 that revokes
 * nothing: the grant is looked up among the user's own.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatMessage } from '../../messages/catalog.ts';
import { auditContext } from '../audit-context.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { scopeWords } from '../oidc/oidc-views.ts';
import { textField } from '../text-field.ts';
import { formProblems } from './forms.ts';
import type { PageTools } from './page-tools.ts';
import { csrfField, errorSummary, type Problems } from './views/form-fields.ts';
import { html } from './views/html.ts';
import { layout, type PageContext } from './views/layout.ts';
import { dateTimeFormat } from '../../messages/intl-formats.ts';

const HTML = 'text/html; charset=utf-8';
const revokeForm = z.object({ grant_id: textField(128) });

export interface ConnectedApp {
  grantId: string;
  clientName: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
}

function dateText(date: Date, page: PageContext) {
  const words = dateTimeFormat(page.locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
  return html`<time datetime="${date.toISOString()}">${words}</time>`;
}

export function connectedAppsPage(page: PageContext, apps: readonly ConnectedApp[], problems: Problems = []): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.apps.heading')}</h1>
${errorSummary(page, problems, {})}
<p>${t('page.apps.intro')}</p>
${
  apps.length === 0
    ? html`<p>${t('page.apps.empty')}</p>`
    : html`<ul class="stack">
${apps.map(
  (app) => html`<li class="card" data-grant-id="${app.grantId}">
<h2>${app.clientName}</h2>
<dl class="facts">
  <dt>${t('page.apps.scopes')}</dt><dd><ul>${app.scopes.map((scope) => html`<li>${scopeWords(page, scope)}</li>`)}</ul></dd>
  <dt>${t('page.apps.created')}</dt><dd>${dateText(app.createdAt, page)}</dd>
  ${app.expiresAt ? html`<dt>${t('page.apps.expires')}</dt><dd>${dateText(app.expiresAt, page)}</dd>` : ''}
</dl>
<form method="post" action="/settings/apps/revoke">
  ${csrfField(page.csrfToken)}
  <input type="hidden" name="grant_id" value="${app.grantId}">
  <button type="submit">${t('page.apps.revoke', { client: app.clientName })}</button>
</form>
</li>`,
)}
</ul>`
}`,
  ).value;
}

export async function connectedAppsPages(app: FastifyInstance, options: { deps: Pick<HttpDependencies, 'oidc' | 'audit'>; pages: PageTools }) {
  const { deps, pages } = options;

  async function appsOf(userId: number, locale: PageContext['locale']): Promise<ConnectedApp[]> {
    const subject = await deps.oidc.subjects.subjectFor(userId);
    if (!subject) return [];
    const grants = await deps.oidc.payloads.listGrants(subject);
    const names = new Map<string, string>();
    for (const grant of grants) {
      if (names.has(grant.clientId)) continue;
      const found = await deps.oidc.clientStore.findClient(grant.clientId);
      names.set(grant.clientId, found?.client.name ?? formatMessage('page.apps.unknown_client', {}, locale));
    }
    return grants
      .map((grant) => ({ grantId: grant.grantId, clientName: names.get(grant.clientId)!, scopes: grant.scopes, createdAt: grant.createdAt, expiresAt: grant.expiresAt }))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  async function render(request: FastifyRequest, reply: FastifyReply, problems: Problems = []) {
    const apps = await appsOf(request.auth!.user.id, request.locale);
    const page = pages.context(request, reply, 'page.apps.title');
    return reply.type(HTML).send(connectedAppsPage(page, apps, problems));
  }

  app.get('/settings/apps', { config: { access: 'signed-in' } }, (request, reply) => render(request, reply));

  app.post('/settings/apps/revoke', { config: { access: 'signed-in', csrf: 'required' } }, async (request, reply) => {
    const parsed = revokeForm.safeParse(request.body);
    if (!parsed.success) return render(request, reply.code(400), formProblems(parsed.error, request.locale));
    const user = request.auth!.user;
    const subject = await deps.oidc.subjects.subjectFor(user.id);
    const grants = subject ? await deps.oidc.payloads.listGrants(subject) : [];
    const grant = grants.find((candidate) => candidate.grantId === parsed.data.grant_id);
    if (!grant) return render(request, reply.code(404), [{ message: formatMessage('page.apps.not_found', {}, request.locale) }]);
    await deps.oidc.payloads.revokeByGrantId(grant.grantId);
    await deps.audit.record({ type: 'oidc.grant_revoked', outcome: 'success', targetUserId: user.id, details: { client_id: grant.clientId } }, auditContext(request));
    pages.flash(reply, 'app-revoked');
    return reply.code(303).redirect('/settings/apps');
  });
}
