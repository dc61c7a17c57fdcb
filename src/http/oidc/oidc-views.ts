/**
 * The provider's pages in Gatehouse's layout (no inline script or style, so the CSP holds):
 * the consent page, the RP-initiated sign-out confirmation and its result, and the error
 * page that stands in for oidc-provider's (which prints raw fields in a page with inline
 * style). Every sentence from the catalog, in English and Spanish.
 */
import type { MessageKey } from '../../messages/catalog.ts';
import { csrfField } from '../pages/views/form-fields.ts';
import { html, SafeHtml } from '../pages/views/html.ts';
import { layout, type PageContext } from '../pages/views/layout.ts';

/** The scopes a consent page can name; any other is not offered by the provider. */
const SCOPE_WORDS: Readonly<Record<string, MessageKey>> = {
  openid: 'page.oidc.scope.openid',
  profile: 'page.oidc.scope.profile',
  email: 'page.oidc.scope.email',
  groups: 'page.oidc.scope.groups',
  offline_access: 'page.oidc.scope.offline_access',
};

export function scopeWords(page: Pick<PageContext, 't'>, scope: string): string {
  const key = SCOPE_WORDS[scope];
  return key ? page.t(key) : scope;
}

export function consentPage(page: PageContext, view: { uid: string; clientName: string; scopes: readonly string[]; lifetimeDays: number }): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.oidc.consent.heading', { client: view.clientName })}</h1>
<p>${t('page.oidc.consent.intro', { client: view.clientName, username: page.user?.username ?? '' })}</p>
<h2>${t('page.oidc.consent.scopes_heading')}</h2>
<ul class="scopes">
${view.scopes.map((scope) => html`<li data-scope="${scope}">${scopeWords(page, scope)}</li>`)}
</ul>
<p class="hint">${t('page.oidc.consent.lifetime', { days: view.lifetimeDays })}</p>
<form method="post" action="/oidc/interaction/${view.uid}/consent" class="stack">
  ${csrfField(page.csrfToken)}
  <button type="submit" name="decision" value="approve">${t('page.oidc.consent.approve')}</button>
  <button type="submit" name="decision" value="deny" class="secondary">${t('page.oidc.consent.deny')}</button>
</form>`,
  ).value;
}

/**
 * `form` is oidc-provider's own `<form id="op.logoutForm" …>` (its action and anti-forgery
 * field, nothing from the request); the buttons submit it, as its documentation shows.
 */
export function logoutConfirmPage(page: PageContext, view: { form: string; clientName?: string }): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.oidc.logout.heading')}</h1>
<p>${view.clientName ? t('page.oidc.logout.intro_client', { client: view.clientName }) : t('page.oidc.logout.intro')}</p>
${new SafeHtml(view.form)}
<div class="stack">
  <button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>${t('page.oidc.logout.confirm')}</button>
  <button type="submit" form="op.logoutForm" class="secondary">${t('page.oidc.logout.stay')}</button>
</div>`,
  ).value;
}

export function signedOutPage(page: PageContext, view: { clientName?: string }): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.oidc.signed_out.heading')}</h1>
<p>${view.clientName ? t('page.oidc.signed_out.intro_client', { client: view.clientName }) : t('page.oidc.signed_out.intro')}</p>
<p><a class="button" href="/">${t('page.error.home_link')}</a></p>`,
  ).value;
}

const ERROR_SENTENCES: Readonly<Record<string, MessageKey>> = {
  invalid_request: 'page.oidc.error.invalid_request',
  invalid_client: 'page.oidc.error.invalid_client',
  invalid_redirect_uri: 'page.oidc.error.invalid_redirect_uri',
  access_denied: 'page.oidc.error.access_denied',
  session_not_found: 'page.oidc.error.interaction_expired',
  invalid_scope: 'page.oidc.error.invalid_request',
  unsupported_response_type: 'page.oidc.error.invalid_request',
  login_required: 'page.oidc.error.login_required',
};

/**
 * The error: a sentence in the page's language for the code, and the code itself (what an
 * administrator searches for). The library's free-text description is not shown: it is
 * English only and sometimes repeats request input.
 */
export function oidcErrorPage(page: PageContext, view: { error: string; status: number }): string {
  const { t } = page;
  const code = /^[a-z_]{1,64}$/.test(view.error) ? view.error : 'server_error';
  return layout(
    page,
    html`<h1>${t('page.oidc.error.heading')}</h1>
<p class="error-message">${t(ERROR_SENTENCES[code] ?? 'page.oidc.error.other')}</p>
<p class="hint">${t('page.oidc.error.code', { code, status: view.status })}</p>
<p><a class="button" href="/">${t('page.error.home_link')}</a></p>`,
  ).value;
}
