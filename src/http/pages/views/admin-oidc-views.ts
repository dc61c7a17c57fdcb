/**
 * The admin console's "Applications (OIDC)" pages (issue #13): the list of registered
 * clients with the form that adds one, the page that shows a new client's secret (once:
 * it is never rendered again), and the confirmation of a removal. Every value is escaped
 * (html.ts); the secret page is `no-store` like every page.
 */
import type { OidcClient } from '../../../domain/ports.ts';
import { OIDC_CLIENT_NAME_MAX, OIDC_REDIRECT_URI_MAX, OIDC_REDIRECT_URIS_MAX } from '../../../domain/oidc/clients.ts';
import { dateText } from './account-views.ts';
import { type AdminPageContext, adminLayout } from './admin-views.ts';
import { csrfField, errorSummary, type Problems } from './form-fields.ts';
import { html, type SafeHtml } from './html.ts';

/** The add form as typed (kept when it is shown again with its problems). */
export interface OidcClientForm {
  name: string;
  redirectUris: string;
  postLogoutRedirectUris: string;
  firstParty: boolean;
  public: boolean;
  alg: string;
  authMethod: string;
}

export const EMPTY_OIDC_CLIENT_FORM: OidcClientForm = { name: '', redirectUris: '', postLogoutRedirectUris: '', firstParty: false, public: false, alg: 'ES256', authMethod: 'client_secret_basic' };

const FIELD_IDS = { name: 'oidc-name', redirect_uris: 'oidc-redirect-uris', post_logout_redirect_uris: 'oidc-logout-uris', alg: 'oidc-alg', auth_method: 'oidc-auth-method' } as const;

function fieldProblems(problems: Problems, field: string): string[] {
  return problems.filter((problem) => problem.field === field).map((problem) => problem.message);
}

function described(id: string, hint: boolean, errors: string[]): SafeHtml {
  const ids = [hint ? `${id}-hint` : '', errors.length > 0 ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`${ids ? html` aria-describedby="${ids}"` : ''}${errors.length > 0 ? html` aria-invalid="true"` : ''}`;
}

function errorLine(id: string, errors: string[]): SafeHtml {
  return errors.length > 0 ? html`<p class="field-error" id="${id}-error">${errors.join(' ')}</p>` : html``;
}

function clientsTable(page: AdminPageContext, clients: readonly OidcClient[]): SafeHtml {
  const { t } = page;
  if (clients.length === 0) return html`<p>${t('page.admin.oidc.none')}</p>`;
  return html`<div class="table-scroll" role="region" aria-labelledby="oidc-caption" tabindex="0">
<table class="admin-table">
<caption id="oidc-caption">${t('page.admin.oidc.caption')}</caption>
<thead><tr><th scope="col">${t('page.admin.oidc.name')}</th><th scope="col">${t('page.admin.oidc.client_id')}</th><th scope="col">${t('page.admin.oidc.type')}</th><th scope="col">${t('page.admin.oidc.redirect_uris')}</th><th scope="col">${t('page.admin.oidc.alg')}</th><th scope="col">${t('page.admin.oidc.created')}</th><th scope="col"><span class="visually-hidden">${t('page.admin.oidc.actions')}</span></th></tr></thead>
<tbody>${clients.map(
    (client) => html`<tr data-client-id="${client.clientId}">
  <th scope="row">${client.name}</th>
  <td><code>${client.clientId}</code></td>
  <td>${t(client.public ? 'page.admin.oidc.type_public' : 'page.admin.oidc.type_confidential')}${client.firstParty ? html`<br>${t('page.admin.oidc.first_party_short')}` : ''}</td>
  <td><ul class="plain-list">${client.redirectUris.map((uri) => html`<li><code>${uri}</code></li>`)}</ul></td>
  <td>${client.idTokenSigningAlg}</td>
  <td>${dateText(client.createdAt, page.locale)}</td>
  <td><a href="/admin/oidc-clients/${client.clientId}/remove">${t('page.admin.oidc.remove', { name: client.name })}</a></td>
</tr>`,
  )}</tbody>
</table>
</div>`;
}

function addForm(page: AdminPageContext, form: OidcClientForm, problems: Problems): SafeHtml {
  const { t } = page;
  const errors = (field: keyof typeof FIELD_IDS) => fieldProblems(problems, field);
  return html`<form method="post" action="/admin/oidc-clients" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <div class="field"><label for="${FIELD_IDS.name}">${t('page.admin.oidc.name')}</label>
    ${errorLine(FIELD_IDS.name, errors('name'))}
    <input id="${FIELD_IDS.name}" name="name" type="text" value="${form.name}" maxlength="${OIDC_CLIENT_NAME_MAX}" autocomplete="off" required${described(FIELD_IDS.name, false, errors('name'))}></div>
  <div class="field"><label for="${FIELD_IDS.redirect_uris}">${t('page.admin.oidc.redirect_uris')}</label>
    <p class="hint" id="${FIELD_IDS.redirect_uris}-hint">${t('page.admin.oidc.redirect_uris_hint', { max: OIDC_REDIRECT_URIS_MAX })}</p>
    ${errorLine(FIELD_IDS.redirect_uris, errors('redirect_uris'))}
    <textarea id="${FIELD_IDS.redirect_uris}" name="redirect_uris" rows="3" maxlength="${OIDC_REDIRECT_URIS_MAX * (OIDC_REDIRECT_URI_MAX + 1)}" autocapitalize="none" spellcheck="false" required${described(FIELD_IDS.redirect_uris, true, errors('redirect_uris'))}>${form.redirectUris}</textarea></div>
  <div class="field"><label for="${FIELD_IDS.post_logout_redirect_uris}">${t('page.admin.oidc.logout_uris')}</label>
    <p class="hint" id="${FIELD_IDS.post_logout_redirect_uris}-hint">${t('page.admin.oidc.logout_uris_hint')}</p>
    ${errorLine(FIELD_IDS.post_logout_redirect_uris, errors('post_logout_redirect_uris'))}
    <textarea id="${FIELD_IDS.post_logout_redirect_uris}" name="post_logout_redirect_uris" rows="2" maxlength="${OIDC_REDIRECT_URIS_MAX * (OIDC_REDIRECT_URI_MAX + 1)}" autocapitalize="none" spellcheck="false"${described(FIELD_IDS.post_logout_redirect_uris, true, errors('post_logout_redirect_uris'))}>${form.postLogoutRedirectUris}</textarea></div>
  <fieldset class="field"><legend>${t('page.admin.oidc.options')}</legend>
    <div class="checkbox"><input id="oidc-first-party" name="first_party" type="checkbox" value="yes"${form.firstParty ? html` checked` : ''} aria-describedby="oidc-first-party-hint"> <label for="oidc-first-party">${t('page.admin.oidc.first_party')}</label>
      <p class="hint" id="oidc-first-party-hint">${t('page.admin.oidc.first_party_hint')}</p></div>
    <div class="checkbox"><input id="oidc-public" name="public" type="checkbox" value="yes"${form.public ? html` checked` : ''} aria-describedby="oidc-public-hint"> <label for="oidc-public">${t('page.admin.oidc.public')}</label>
      <p class="hint" id="oidc-public-hint">${t('page.admin.oidc.public_hint')}</p></div>
  </fieldset>
  <div class="field"><label for="${FIELD_IDS.alg}">${t('page.admin.oidc.alg')}</label>
    <p class="hint" id="${FIELD_IDS.alg}-hint">${t('page.admin.oidc.alg_hint')}</p>
    ${errorLine(FIELD_IDS.alg, errors('alg'))}
    <select id="${FIELD_IDS.alg}" name="alg"${described(FIELD_IDS.alg, true, errors('alg'))}>${['ES256', 'RS256'].map((alg) => html`<option value="${alg}"${form.alg === alg ? html` selected` : ''}>${alg}</option>`)}</select></div>
  <div class="field"><label for="${FIELD_IDS.auth_method}">${t('page.admin.oidc.auth_method')}</label>
    <p class="hint" id="${FIELD_IDS.auth_method}-hint">${t('page.admin.oidc.auth_method_hint')}</p>
    ${errorLine(FIELD_IDS.auth_method, errors('auth_method'))}
    <select id="${FIELD_IDS.auth_method}" name="auth_method"${described(FIELD_IDS.auth_method, true, errors('auth_method'))}>${['client_secret_basic', 'client_secret_post'].map((method) => html`<option value="${method}"${form.authMethod === method ? html` selected` : ''}>${method}</option>`)}</select></div>
  <div class="form-actions"><button type="submit">${t('page.admin.oidc.add_submit')}</button></div>
</form>`;
}

export function oidcClientsPage(page: AdminPageContext, data: { clients: readonly OidcClient[]; form: OidcClientForm; problems: Problems }): string {
  const { t } = page;
  return adminLayout(
    page,
    html`<h1>${t('page.admin.oidc.heading')}</h1>
<p>${t('page.admin.oidc.intro')}</p>
${errorSummary(page, data.problems, FIELD_IDS)}
<section aria-labelledby="oidc-list-heading"><h2 id="oidc-list-heading">${t('page.admin.oidc.list_heading')}</h2>${clientsTable(page, data.clients)}</section>
<section aria-labelledby="oidc-add-heading"><h2 id="oidc-add-heading">${t('page.admin.oidc.add_heading')}</h2>${addForm(page, data.form, data.problems)}</section>`,
  );
}

/** Right after `add`: the client id and, for a confidential client, its secret, this once. */
export function oidcClientCreatedPage(page: AdminPageContext, client: OidcClient, secret: string | undefined, issuer: string): string {
  const { t } = page;
  return adminLayout(
    page,
    html`<h1>${t('page.admin.oidc.created_heading', { name: client.name })}</h1>
<dl class="facts">
  <dt>${t('page.admin.oidc.client_id')}</dt><dd><code data-client-id>${client.clientId}</code></dd>
  ${secret === undefined ? '' : html`<dt>${t('page.admin.oidc.client_secret')}</dt><dd><code data-client-secret>${secret}</code></dd>`}
  <dt>${t('page.admin.oidc.issuer')}</dt><dd><code>${issuer}</code></dd>
</dl>
${secret === undefined ? html`<p>${t('page.admin.oidc.public_note')}</p>` : html`<p class="warning" role="status"><strong>${t('page.admin.oidc.secret_once_label')}</strong> ${t('page.admin.oidc.secret_once')}</p>`}
<p><a href="/admin/oidc-clients">${t('page.admin.oidc.back')}</a></p>`,
  );
}

export function oidcClientRemovePage(page: AdminPageContext, client: OidcClient): string {
  const { t } = page;
  return adminLayout(
    page,
    html`<h1>${t('page.admin.oidc.remove_heading', { name: client.name })}</h1>
<p class="warning"><strong>${t('page.admin.confirm.warning_label')}</strong> ${t('page.admin.oidc.remove_body', { name: client.name })}</p>
<form method="post" action="/admin/oidc-clients/${client.clientId}/remove" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <input type="hidden" name="confirm" value="yes">
  <div class="form-actions"><button type="submit" class="danger">${t('page.admin.oidc.remove_submit', { name: client.name })}</button> <a href="/admin/oidc-clients">${t('page.admin.confirm.cancel')}</a></div>
</form>`,
  );
}
