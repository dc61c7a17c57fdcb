/**
 * Passkey views (issue #12): the `/settings/passkeys` page (list, rename, remove, add), and the
 * controls other pages embed: "Sign in with a passkey" on /login and "Use a passkey" on
 * /login/two-factor. The ceremonies need public/passkeys.js (src/browser/passkeys.ts), so
 * every control that needs it ships inside a `hidden` wrapper the script reveals once it
 * knows the browser can make or use passkeys; until then (no script, no WebAuthn) the page
 * says what to do instead. The script's own sentences (progress, cancelled, failed) travel
 * in `data-msg-*` attributes in the page's language; its status and error lines are live
 * regions (`aria-live` polite and assertive). Renaming and removing are plain forms with
 * their `csrf_token` and work without script.
 */
import { deviceName } from '../../../domain/devices/device-name.ts';
import type { Passkey } from '../../../domain/ports.ts';
import type { User } from '../../../domain/users/user.ts';
import type { Locale } from '../../../messages/catalog.ts';
import { csrfField, errorSummary, type Problems } from './form-fields.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { dateTimeFormat } from '../../../messages/intl-formats.ts';

/** The pages' ceremony endpoints (passkey-pages.ts), named once for the views and the script. */
export const PASSKEY_URLS = {
  registerOptions: '/settings/passkeys/options',
  registerVerify: '/settings/passkeys/verify',
  signInOptions: '/login/passkey/options',
  signInVerify: '/login/passkey/verify',
  secondFactorOptions: '/login/two-factor/passkey/options',
  secondFactorVerify: '/login/two-factor/passkey/verify',
} as const;

function timeText(date: Date, locale: Locale): SafeHtml {
  const words = dateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date);
  return html`<time datetime="${date.toISOString()}">${words} UTC</time>`;
}

/** The sentences the browser script may need, as `data-msg-*` attributes. */
function scriptMessages(page: PageContext): SafeHtml {
  const { t } = page;
  return html` data-msg-working="${t('page.passkeys.script.working')}" data-msg-cancelled="${t('page.passkeys.script.cancelled')}" data-msg-failed="${t('page.passkeys.script.failed')}" data-msg-exists="${t('page.passkeys.script.exists')}"`;
}

/**
 * The live regions the script writes into, empty until then: `aria-live` rather than the
 * status and alert roles, so an empty line is no second "status" beside the page's notice.
 */
function liveRegions(): SafeHtml {
  return html`<p class="hint" aria-live="polite" data-passkey-status></p>
<p class="field-error" aria-live="assertive" data-passkey-error></p>`;
}

/** The name a passkey gets when none is typed: the browser and system it was made on, else "Passkey". */
export function defaultPasskeyName(page: Pick<PageContext, 't'>, userAgent: string): string {
  const { browser, os } = deviceName(userAgent);
  return browser && os ? page.t('page.sessions.device', { browser, os }) : page.t('page.passkeys.default_name');
}

function passkeyCard(page: PageContext, passkey: Passkey, index: number): SafeHtml {
  const { t } = page;
  const field = `passkey-name-${index}`;
  return html`<li class="card" data-passkey-id="${passkey.credentialId}">
<h3>${passkey.name}</h3>
<dl class="facts">
  <dt>${t('page.passkeys.created')}</dt><dd>${timeText(passkey.createdAt, page.locale)}</dd>
  <dt>${t('page.passkeys.last_used')}</dt><dd>${passkey.lastUsedAt ? timeText(passkey.lastUsedAt, page.locale) : t('page.passkeys.never_used')}</dd>
  <dt>${t('page.passkeys.kind')}</dt><dd>${t(passkey.backedUp ? 'page.passkeys.kind_synced' : 'page.passkeys.kind_device')}</dd>
</dl>
<form method="post" action="/settings/passkeys/rename" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <input type="hidden" name="passkey_id" value="${passkey.credentialId}">
  <div class="field">
    <label for="${field}">${t('page.passkeys.rename_label', { name: passkey.name })}</label>
    <input id="${field}" name="name" type="text" autocomplete="off" maxlength="100" required value="${passkey.name}">
  </div>
  <button type="submit">${t('page.passkeys.rename')}</button>
</form>
<form method="post" action="/settings/passkeys/remove">
  ${csrfField(page.csrfToken)}
  <input type="hidden" name="passkey_id" value="${passkey.credentialId}">
  <button type="submit">${t('page.passkeys.remove', { name: passkey.name })}</button>
</form>
</li>`;
}

export function passkeysPage(page: PageContext & { user: User }, passkeys: readonly Passkey[], options: { limit: number; problems?: Problems }): string {
  const { t } = page;
  const problems = options.problems ?? [];
  const full = passkeys.length >= options.limit;
  return layout(
    page,
    html`<h1>${t('page.passkeys.heading')}</h1>
${errorSummary(page, problems, {})}
<p>${t('page.passkeys.intro')}</p>
<h2>${t('page.passkeys.list_heading')}</h2>
${passkeys.length === 0 ? html`<p data-passkeys-empty>${t('page.passkeys.empty')}</p>` : html`<ul class="stack">${passkeys.map((passkey, index) => passkeyCard(page, passkey, index))}</ul>`}
<h2 id="add-passkey">${t('page.passkeys.add_heading')}</h2>
${
  full
    ? html`<p>${t('page.passkeys.limit', { limit: options.limit })}</p>`
    : html`<p>${t('page.passkeys.add_intro')}</p>
<p class="hint" data-passkey-fallback>${t('page.passkeys.needs_script')}</p>
<div data-passkey-controls hidden>
<form class="stack" data-passkey-register data-options-url="${PASSKEY_URLS.registerOptions}" data-verify-url="${PASSKEY_URLS.registerVerify}"${scriptMessages(page)} novalidate>
  ${csrfField(page.csrfToken)}
  <div class="field">
    <label for="passkey-name">${t('page.passkeys.name_label')}</label>
    <p class="hint" id="passkey-name-hint">${t('page.passkeys.name_hint')}</p>
    <input id="passkey-name" name="name" type="text" autocomplete="off" maxlength="100" aria-describedby="passkey-name-hint">
  </div>
  <button type="submit">${t('page.passkeys.add')}</button>
  ${liveRegions()}
</form>
</div>`
}`,
  ).value;
}

/**
 * "Sign in with a passkey" for /login: usernameless (the authenticator offers the passkeys it
 * holds for this site). `next` is where a successful sign-in goes (already a safe path).
 */
export function passkeySignInControl(page: PageContext, next: string | undefined): SafeHtml {
  const { t } = page;
  return html`<section class="stack" aria-labelledby="passkey-sign-in-heading">
<h2 id="passkey-sign-in-heading">${t('page.passkeys.sign_in_heading')}</h2>
<p class="hint" data-passkey-fallback>${t('page.passkeys.sign_in_needs_script')}</p>
<div data-passkey-controls hidden>
<div class="stack" data-passkey-sign-in data-options-url="${PASSKEY_URLS.signInOptions}" data-verify-url="${PASSKEY_URLS.signInVerify}" data-next="${next ?? ''}"${scriptMessages(page)}>
  <p>${t('page.passkeys.sign_in_intro')}</p>
  <button type="button" data-passkey-start>${t('page.passkeys.sign_in')}</button>
  ${liveRegions()}
</div>
</div>
</section>`;
}

/**
 * "Use a passkey" for /login/two-factor (the lead's page embeds it): the pending account's own
 * passkeys, as the second step after its password.
 */
export function passkeySecondFactorControl(page: PageContext): SafeHtml {
  const { t } = page;
  return html`<div data-passkey-controls hidden>
<div class="stack" data-passkey-second-factor data-options-url="${PASSKEY_URLS.secondFactorOptions}" data-verify-url="${PASSKEY_URLS.secondFactorVerify}"${scriptMessages(page)}>
  <p>${t('page.passkeys.second_factor_intro')}</p>
  <button type="button" data-passkey-start>${t('page.passkeys.second_factor')}</button>
  ${liveRegions()}
</div>
</div>`;
}
