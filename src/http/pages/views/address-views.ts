/**
 * Pages of the account's email address (issue #10): confirming a link (the GET shows this
 * button, the POST acts), asking for a new link, the 403 an unverified sign-in gets, and
 * changing the address. Same form pattern as every page (form-fields.ts).
 */
import type { User } from '../../../domain/users/user.ts';
import { csrfField, errorSummary, formField, formNotice, type Problems } from './form-fields.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';

export function confirmEmailPage(page: PageContext, token: string, problems: Problems = []): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.address.confirm_heading')}</h1>
${errorSummary(page, problems, {})}
<p>${t('page.address.confirm_intro')}</p>
<form method="post" action="/verify-email" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <input type="hidden" name="token" value="${token}">
  <button type="submit" data-confirm-email>${t('page.address.confirm_submit')}</button>
</form>`,
  ).value;
}

/** A link that no longer works (used, expired, unknown), or a changed address taken meanwhile. */
export function linkProblemPage(page: PageContext, message: string): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.address.link_problem_heading')}</h1>
<p class="error-message" data-link-problem>${message}</p>
<p><a class="button" href="/verify-email/resend">${t('page.address.resend_link')}</a></p>`,
  ).value;
}

/** The signed-out "send me a new link" form (also the body of the unverified sign-in's 403). */
function resendForm(page: PageContext, form: { email?: string; problems?: Problems }): SafeHtml {
  const { t } = page;
  const problems = form.problems ?? [];
  return html`${errorSummary(page, problems, { email: 'email' })}
<form method="post" action="/verify-email/resend" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  ${formField(page, { name: 'email', label: t('page.address.email_label'), type: 'email', autocomplete: 'email', identifier: true, value: form.email, maxlength: 320 }, problems)}
  <button type="submit">${t('page.address.resend_submit')}</button>
</form>`;
}

export function resendPage(page: PageContext, form: { email?: string; problems?: Problems; sent?: boolean }): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.address.resend_heading')}</h1>
${form.sent ? html`<p class="notice" role="status" data-resend-sent>${t('page.address.resend_sent')}</p>` : html`<p>${t('page.address.resend_intro')}</p>`}
${resendForm(page, form)}`,
  ).value;
}

export function unverifiedSignInPage(page: PageContext, message: string): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.address.unverified_heading')}</h1>
<p class="error-message" data-email-unverified>${message}</p>
<p>${t('page.address.resend_intro')}</p>
${resendForm(page, {})}`,
  ).value;
}

/** For the dashboard: an unconfirmed address, with the button that mails a new link. */
export function verificationReminder(page: PageContext & { user: User }): SafeHtml {
  const { t, user } = page;
  if (user.emailVerifiedAt !== null) return html``;
  return html`<section class="card" aria-labelledby="verify-heading" data-email-unverified>
<h2 id="verify-heading">${t('page.address.reminder_heading')}</h2>
<p>${t('page.address.reminder_text', { email: user.email })}</p>
<form method="post" action="/verify-email/resend">
  ${csrfField(page.csrfToken)}
  <button type="submit" data-resend-verification>${t('page.address.resend_submit')}</button>
</form>
</section>`;
}

export interface ChangeEmailForm {
  email?: string | undefined;
  problems?: Problems;
  notice?: string;
}

export function changeEmailPage(page: PageContext & { user: User }, form: ChangeEmailForm): string {
  const { t, user } = page;
  const problems = form.problems ?? [];
  return layout(
    page,
    html`<h1>${t('page.address.change_heading')}</h1>
${formNotice(form.notice)}
<p>${t('page.address.change_current', { email: user.email })}</p>
${errorSummary(page, problems, { email: 'email', current_password: 'current_password' })}
<form method="post" action="/settings/email" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <input type="text" name="username" autocomplete="username" value="${user.username}" hidden>
  ${formField(page, { name: 'email', label: t('page.address.new_email_label'), type: 'email', autocomplete: 'email', identifier: true, value: form.email, maxlength: 320, hint: t('page.address.change_hint') }, problems)}
  ${formField(page, { name: 'current_password', label: t('page.label.current_password'), type: 'password', autocomplete: 'current-password' }, problems)}
  <button type="submit">${t('page.address.change_submit')}</button>
</form>`,
  ).value;
}
