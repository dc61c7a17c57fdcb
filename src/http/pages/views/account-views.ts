/**
 * Signed-in pages: the dashboard (and the signed-in home) with the account at a glance, and
 * the profile. Only what is stored is shown: username, email, role and when the account was
 * created (dates through `Intl` in the page's language). The dashboard renders no text from
 * its URL: notices come only from Gatehouse's own signed flash codes (content spoofing).
 */
import type { User } from '../../../domain/users/user.ts';
import type { Locale } from '../../../messages/catalog.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext, richText } from './layout.ts';
import { verificationReminder } from './address-views.ts';
import { dateTimeFormat } from '../../../messages/intl-formats.ts';

/** A date in words in `locale` ("3 May 2025", "3 de mayo de 2025"), inside `<time datetime>`. */
export function dateText(date: Date, locale: Locale): SafeHtml {
  const words = dateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  return html`<time datetime="${date.toISOString()}">${words}</time>`;
}

function roleText(page: PageContext, role: User['role']): string {
  return page.t(role === 'admin' ? 'page.role.admin' : 'page.role.user');
}

/** Every settings page that exists today, each with a sentence saying what it does. */
function settingsLinks(page: PageContext): SafeHtml {
  return html`<h2>${page.t('page.account.settings_heading')}</h2>
<ul class="link-list">
  <li><a href="/settings/password">${page.t('page.account.password_link')}</a><p class="hint">${page.t('page.account.password_hint')}</p></li>
  <li><a href="/settings/email">${page.t('page.address.change_title')}</a><p class="hint">${page.t('page.address.change_hint')}</p></li>
  <li><a href="/settings/sessions">${page.t('page.sessions.link')}</a><p class="hint">${page.t('page.sessions.hint')}</p></li>
  <li><a href="/settings/passkeys">${page.t('page.passkeys.link')}</a><p class="hint">${page.t('page.passkeys.hint')}</p></li>
  <li><a href="/settings/apps">${page.t('page.apps.link')}</a><p class="hint">${page.t('page.apps.hint')}</p></li>
  <li><a href="/settings/secure-account">${page.t('page.recovery.settings.heading')}</a></li>
  <li><a href="/settings/delete-account">${page.t('page.delete.link')}</a></li>
  <li><a href="/profile">${page.t('page.account.profile_link')}</a></li>
</ul>`;
}

/** The account's security at a glance, for the dashboard and the signed-in home. */
export function accountSummary(page: PageContext & { user: User }): SafeHtml {
  const { t, user } = page;
  return html`<section class="card" aria-labelledby="account-heading">
<h2 id="account-heading">${t('page.account.heading')}</h2>
<dl class="facts">
  <dt>${t('page.account.username')}</dt><dd>${user.username}</dd>
  <dt>${t('page.account.email')}</dt><dd>${user.email}</dd>
  <dt>${t('page.account.role')}</dt><dd>${roleText(page, user.role)}</dd>
  <dt>${t('page.account.member_since')}</dt><dd>${dateText(user.createdAt, page.locale)}</dd>
</dl>
${settingsLinks(page)}
</section>`;
}

export function dashboardPage(page: PageContext & { user: User }): string {
  const { user } = page;
  const role = html`<strong data-role>${user.role}</strong>`;
  return layout(
    page,
    html`<h1>${richText(page, 'page.dashboard.welcome', { username: html`<span data-username>${user.username}</span>` })}</h1>
<p>${richText(page, 'page.dashboard.role', { role, description: roleText(page, user.role) })}</p>
${verificationReminder(page)}
${accountSummary(page)}`,
  ).value;
}

export function profilePage(page: PageContext, profile: User): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.profile.heading')}</h1>
<dl class="facts" data-user-id="${profile.id}">
  <dt>${t('page.profile.id')}</dt><dd>${profile.id}</dd>
  <dt>${t('page.profile.username')}</dt><dd>${profile.username}</dd>
  <dt>${t('page.profile.email')}</dt><dd>${profile.email}</dd>
  <dt>${t('page.profile.role')}</dt><dd>${profile.role}</dd>
  <dt>${t('page.profile.created')}</dt><dd>${dateText(profile.createdAt, page.locale)}</dd>
</dl>`,
  ).value;
}
