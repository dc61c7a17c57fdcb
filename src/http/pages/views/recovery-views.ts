/**
 * The password recovery pages: forgot password, choose a new password (by a reset link),
 * "this wasn't me" (by a secure-account link) and "secure my account" in the settings.
 * Each form carries `csrf_token`; a token from a link travels on as a hidden field, never
 * into another link (the pages also send `Referrer-Policy: no-referrer`).
 */
import type { User } from '../../../domain/users/user.ts';
import { csrfField, errorSummary, formField, formNotice, type Problems } from './form-fields.ts';
import type { MeterSettings } from './form-views.ts';
import { html } from './html.ts';
import { layout, type PageContext } from './layout.ts';

export function forgotPasswordPage(page: PageContext, form: { email?: string | undefined; problems?: Problems; notice?: string | undefined }): string {
  const { t } = page;
  const problems = form.problems ?? [];
  return layout(
    page,
    html`<h1>${t('page.recovery.forgot.heading')}</h1>
${formNotice(form.notice)}
${errorSummary(page, problems, { email: 'email' })}
<p>${t('page.recovery.forgot.intro')}</p>
<form method="post" action="/forgot-password" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  ${formField(page, { name: 'email', label: t('page.label.email'), type: 'email', autocomplete: 'email', value: form.email, maxlength: 254, identifier: true }, problems)}
  <button type="submit">${t('page.recovery.forgot.submit')}</button>
</form>
<p><a href="/login">${t('page.recovery.forgot.sign_in')}</a></p>`,
  ).value;
}

/** The answer to every accepted request, known address or not: it never quotes the address. */
export function resetLinkSentPage(page: PageContext, minutes: number): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.recovery.forgot.sent_heading')}</h1>
<p role="status">${t('page.recovery.forgot.sent', { minutes })}</p>
<p><a href="/login">${t('page.recovery.forgot.sign_in')}</a></p>`,
  ).value;
}

export function resetPasswordPage(page: PageContext, meter: MeterSettings, form: { token: string; problems?: Problems; notice?: string | undefined }): string {
  const { t } = page;
  const problems = form.problems ?? [];
  const hint = t(meter.requireClasses ? 'page.hint.password_classes' : 'page.hint.password_passphrase', { minLength: meter.minLength });
  return layout(
    page,
    html`<h1>${t('page.recovery.reset.heading')}</h1>
${formNotice(form.notice)}
${errorSummary(page, problems, { password: 'password' })}
<p>${t('page.recovery.reset.intro')}</p>
<form method="post" action="/reset-password" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <input type="hidden" name="token" value="${form.token}">
  ${formField(page, { name: 'password', label: t('page.label.new_password'), type: 'password', autocomplete: 'new-password', hint }, problems)}
  <button type="submit">${t('page.recovery.reset.submit')}</button>
</form>`,
  ).value;
}

/** A used, expired, unknown or forged link (status 400): says so, offers a new one. */
export function invalidLinkPage(page: PageContext): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.recovery.invalid.heading')}</h1>
<p>${t('page.recovery.invalid.body')}</p>
<p><a href="/forgot-password">${t('page.recovery.invalid.again')}</a></p>`,
  ).value;
}

/** The GET of a "this wasn't me" link: a confirm button; only the POST acts. */
export function secureAccountPage(page: PageContext, form: { token: string; problems?: Problems }): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.recovery.secure.heading')}</h1>
${errorSummary(page, form.problems ?? [], {})}
<p>${t('page.recovery.secure.intro')}</p>
<form method="post" action="/secure-account" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <input type="hidden" name="token" value="${form.token}">
  <button type="submit">${t('page.recovery.secure.submit')}</button>
</form>`,
  ).value;
}

/** "Secure my account" for a signed-in user: the current password, then the same action. */
export function secureSettingsPage(page: PageContext & { user: User }, form: { problems?: Problems; notice?: string | undefined }): string {
  const { t } = page;
  const problems = form.problems ?? [];
  return layout(
    page,
    html`<h1>${t('page.recovery.settings.heading')}</h1>
${formNotice(form.notice)}
${errorSummary(page, problems, { current_password: 'current_password' })}
<p>${t('page.recovery.settings.intro')}</p>
<form method="post" action="/settings/secure-account" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <input type="text" name="username" autocomplete="username" value="${page.user.username}" hidden>
  ${formField(page, { name: 'current_password', label: t('page.label.current_password'), type: 'password', autocomplete: 'current-password' }, problems)}
  <button type="submit">${t('page.recovery.secure.submit')}</button>
</form>`,
  ).value;
}
