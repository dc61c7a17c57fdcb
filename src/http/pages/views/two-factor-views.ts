/**
 * Two-factor pages: enrolment (the QR code as inline SVG from `uqr`, CSP-clean: presentation
 * attributes only, no style; the secret also as text in `data-totp-secret`), the recovery
 * codes shown once (`data-recovery-code`), the settings when on, and the second sign-in step.
 */
import { renderSVG } from 'uqr';
import type { User } from '../../../domain/users/user.ts';
import { csrfField, errorSummary, formField, type Problems } from './form-fields.ts';
import { html, SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { passkeySecondFactorControl } from './passkey-views.ts';

/** The QR code of an `otpauth://` URI: SVG made here from our own data, so trusted markup. */
function qrCode(page: PageContext, uri: string): SafeHtml {
  return html`<div class="qr-code" role="img" aria-label="${page.t('page.two_factor.qr_label')}">${new SafeHtml(renderSVG(uri, { border: 2 }))}</div>`;
}

/** The secret in groups of four for reading aloud or typing; the attribute keeps it whole. */
function secretText(secret: string): SafeHtml {
  const grouped = secret.match(/.{1,4}/g)?.join(' ') ?? secret;
  return html`<code class="totp-secret" data-totp-secret="${secret}">${grouped}</code>`;
}

export function enrolmentPage(page: PageContext & { user: User }, enrolment: { secret: string; uri: string }, problems: Problems = [], required = false): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.two_factor.heading')}</h1>
${required ? html`<p class="notice" role="status">${t('page.two_factor.required')}</p>` : ''}
${errorSummary(page, problems, { code: 'code', current_password: 'current_password' })}
<p>${t('page.two_factor.off_intro')}</p>
<p>${t('page.two_factor.step1')}</p>
${qrCode(page, enrolment.uri)}
<p>${t('page.two_factor.step2')} ${secretText(enrolment.secret)}</p>
<p>${t('page.two_factor.step3')}</p>
<form method="post" action="/settings/two-factor" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <input type="text" name="username" autocomplete="username" value="${page.user.username}" hidden>
  ${formField(page, { name: 'code', label: t('page.two_factor.code'), autocomplete: 'one-time-code', hint: t('page.two_factor.code_hint'), maxlength: 12 }, problems)}
  ${formField(page, { name: 'current_password', label: t('page.two_factor.current_password'), type: 'password', autocomplete: 'current-password' }, problems)}
  <button type="submit">${t('page.two_factor.enable')}</button>
</form>`,
  ).value;
}

function recoveryCodeList(page: PageContext, codes: readonly string[]): SafeHtml {
  return html`<h2>${page.t('page.two_factor.codes_heading')}</h2>
<p>${page.t('page.two_factor.codes_intro')}</p>
<ul class="recovery-codes">${codes.map((code) => html`<li><code data-recovery-code="${code}">${code}</code></li>`)}</ul>`;
}

export function twoFactorOnPage(page: PageContext & { user: User }, state: { recoveryCodesLeft: number; newCodes?: readonly string[] }, problems: Problems = []): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.two_factor.heading')}</h1>
${errorSummary(page, problems, { code: 'disable-code', current_password: 'disable-password' })}
<p>${t('page.two_factor.on_intro', { left: state.recoveryCodesLeft })}</p>
${state.newCodes ? recoveryCodeList(page, state.newCodes) : ''}
<form method="post" action="/settings/two-factor/recovery-codes" class="stack">
  ${csrfField(page.csrfToken)}
  <p id="regenerate-hint">${t('page.two_factor.regenerate_hint')}</p>
  <button type="submit" aria-describedby="regenerate-hint">${t('page.two_factor.regenerate')}</button>
</form>
<h2>${t('page.two_factor.disable_heading')}</h2>
<form method="post" action="/settings/two-factor/disable" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <p>${t('page.two_factor.disable_hint')}</p>
  <input type="text" name="username" autocomplete="username" value="${page.user.username}" hidden>
  ${formField(page, { name: 'current_password', id: 'disable-password', label: t('page.two_factor.current_password'), type: 'password', autocomplete: 'current-password' }, problems)}
  ${formField(page, { name: 'code', id: 'disable-code', label: t('page.two_factor.disable_code'), autocomplete: 'one-time-code', maxlength: 12 }, problems)}
  <button type="submit" class="danger">${t('page.two_factor.disable')}</button>
</form>`,
  ).value;
}

export function secondStepPage(page: PageContext, options: { passkeys: boolean }, problems: Problems = []): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.second_step.heading')}</h1>
${errorSummary(page, problems, { code: 'code' })}
<p>${t('page.second_step.intro')}</p>
<form method="post" action="/login/two-factor" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  ${formField(page, { name: 'code', label: t('page.second_step.code'), autocomplete: 'one-time-code', hint: t('page.second_step.code_hint'), maxlength: 12, identifier: true }, problems)}
  <button type="submit">${t('page.second_step.submit')}</button>
</form>
${options.passkeys ? passkeySecondFactorControl(page) : ''}
<p><a href="/login">${t('page.second_step.start_over')}</a></p>`,
  ).value;
}
