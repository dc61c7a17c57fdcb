/**
 * The account forms: create an account, sign in, change the password. Each keeps what was
 * typed (never a password), lists every problem at once in the summary and beside its
 * field, and carries `csrf_token`. `notice` is the short explanation a stale form comes
 * back with.
 */
import type { User } from '../../../domain/users/user.ts';
import { csrfField, errorSummary, formField, formNotice, type Problems } from './form-fields.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext, richText } from './layout.ts';
import { passkeySignInControl } from './passkey-views.ts';

export interface MeterSettings {
  minLength: number;
  maxLength: number;
  minScore: number;
  requireClasses: boolean;
}

/**
 * The strength meter's elements, `hidden` until the script sees typing; the policy travels
 * as data attributes so the script and the server agree.
 */
function strengthMeter(page: PageContext, settings: MeterSettings, inputId: string, user?: { username: string; email: string }): SafeHtml {
  return html`<meter id="password-strength" min="0" max="4" low="2" high="3" optimum="4" value="0" hidden aria-label="${page.t('page.meter.label')}"
    data-input="${inputId}" data-min-length="${settings.minLength}" data-max-length="${settings.maxLength}" data-min-score="${settings.minScore}"
    data-require-classes="${settings.requireClasses ? '1' : '0'}"${user ? html` data-username="${user.username}" data-email="${user.email}"` : ''}></meter>
  <p id="password-feedback" class="hint meter-feedback" aria-live="polite"></p>`;
}

function passwordHint(page: PageContext, settings: MeterSettings): string {
  return page.t(settings.requireClasses ? 'page.hint.password_classes' : 'page.hint.password_passphrase', { minLength: settings.minLength });
}

export interface RegisterForm {
  username?: string | undefined;
  email?: string | undefined;
  problems?: Problems;
  closed?: boolean;
  notice?: string | undefined;
}

const REGISTER_IDS = { username: 'username', email: 'email', password: 'password' };

export function registerPage(page: PageContext, meter: MeterSettings, form: RegisterForm): string {
  const { t } = page;
  const problems = form.problems ?? [];
  if (form.closed) return layout(page, html`<h1>${t('page.register.heading')}</h1><p>${t('page.register.closed')}</p>`).value;
  const signIn = html`<a href="/login">${t('page.register.sign_in_link')}</a>`;
  return layout(
    page,
    html`<h1>${t('page.register.heading')}</h1>
${formNotice(form.notice)}
${errorSummary(page, problems, REGISTER_IDS)}
<form method="post" action="/register" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  ${formField(page, { name: 'username', label: t('page.label.username'), autocomplete: 'username', value: form.username, hint: t('page.hint.username'), maxlength: 50, identifier: true }, problems)}
  ${formField(page, { name: 'email', label: t('page.label.email'), type: 'email', autocomplete: 'email', value: form.email, maxlength: 254, identifier: true }, problems)}
  ${formField(
    page,
    {
      name: 'password',
      label: t('page.label.password'),
      type: 'password',
      autocomplete: 'new-password',
      hint: passwordHint(page, meter),
      describedBy: ['password-feedback'],
      after: strengthMeter(page, meter, 'password'),
    },
    problems,
  )}
  <button type="submit">${t('page.register.submit')}</button>
</form>
<p>${richText(page, 'page.register.have_account', { link: signIn })}</p>`,
  ).value;
}

export interface LoginForm {
  username?: string | undefined;
  next?: string | undefined;
  problems?: Problems;
  notice?: string | undefined;
}

export function loginPage(page: PageContext, form: LoginForm): string {
  const { t } = page;
  const problems = form.problems ?? [];
  const register = html`<a href="/register">${t('page.login.register_link')}</a>`;
  return layout(
    page,
    html`<h1>${t('page.login.heading')}</h1>
${formNotice(form.notice)}
${errorSummary(page, problems, { username: 'username', password: 'password' })}
<form method="post" action="/login" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  ${form.next ? html`<input type="hidden" name="next" value="${form.next}">` : ''}
  ${formField(page, { name: 'username', label: t('page.label.login_username'), autocomplete: 'username webauthn', value: form.username, maxlength: 254, identifier: true }, problems)}
  ${formField(page, { name: 'password', label: t('page.label.password'), type: 'password', autocomplete: 'current-password' }, problems)}
  <button type="submit">${t('page.login.submit')}</button>
</form>
<p><a href="/forgot-password">${t('page.recovery.forgot.link')}</a></p>
${passkeySignInControl(page, form.next)}
<p>${richText(page, 'page.login.new_here', { link: register })}</p>`,
  ).value;
}

export interface ChangePasswordForm {
  problems?: Problems;
  required: boolean;
  notice?: string | undefined;
}

/** The new password's input keeps the id `password` (the meter's and the browser tests' hook). */
const CHANGE_IDS = { current_password: 'current_password', new_password: 'password' };

export function changePasswordPage(page: PageContext & { user: User }, meter: MeterSettings, form: ChangePasswordForm): string {
  const { t } = page;
  const problems = form.problems ?? [];
  return layout(
    page,
    html`<h1>${t('page.password.heading')}</h1>
${form.required ? html`<p class="warning" role="status"><strong>${t('page.password.warning_label')}</strong> ${t('page.password.required_notice')}</p>` : ''}
${formNotice(form.notice)}
${errorSummary(page, problems, CHANGE_IDS)}
<form method="post" action="/settings/password" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <input type="text" name="username" autocomplete="username" value="${page.user.username}" hidden>
  ${formField(page, { name: 'current_password', label: t('page.label.current_password'), type: 'password', autocomplete: 'current-password' }, problems)}
  ${formField(
    page,
    {
      name: 'new_password',
      id: 'password',
      label: t('page.label.new_password'),
      type: 'password',
      autocomplete: 'new-password',
      hint: `${passwordHint(page, meter)} ${t('page.hint.signs_out_others')}`,
      describedBy: ['password-feedback'],
      after: strengthMeter(page, meter, 'password', page.user),
    },
    problems,
  )}
  <button type="submit">${t('page.password.submit')}</button>
</form>
<p><a href="/settings/secure-account">${t('page.recovery.settings.heading')}</a>: ${t('page.recovery.settings.intro')}</p>`,
  ).value;
}
