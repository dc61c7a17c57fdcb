/**
 * The sessions page and the delete-account page. Each session is one card carrying its
 * public id (`data-session-id`, never the token or its hash); the current one also carries
 * `data-current`. Times through `Intl` in the page's language; devices from the user agent
 * (domain/devices/device-name.ts). Every button is a POST form with its `csrf_token`.
 */
import { deviceName } from '../../../domain/devices/device-name.ts';
import type { ListedSession } from '../../../domain/sessions/session-service.ts';
import type { User } from '../../../domain/users/user.ts';
import type { Locale } from '../../../messages/catalog.ts';
import { csrfField, errorSummary, formField, type Problems } from './form-fields.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { dateTimeFormat } from '../../../messages/intl-formats.ts';

/** A date and time in words in `locale`, inside `<time datetime>`. */
function timeText(date: Date, locale: Locale): SafeHtml {
  const words = dateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date);
  return html`<time datetime="${date.toISOString()}">${words} UTC</time>`;
}

/** "Firefox 133 on Windows", in the page's language, unknown parts said so. */
export function deviceText(page: Pick<PageContext, 't'>, userAgent: string): string {
  const { browser, os } = deviceName(userAgent);
  return page.t('page.sessions.device', { browser: browser ?? 'unknown', os: os ?? 'unknown' });
}

function sessionCard(page: PageContext, session: ListedSession): SafeHtml {
  const { t } = page;
  return html`<li class="card" data-session-id="${session.publicId}"${session.current ? html` data-current` : ''}>
<h2>${deviceText(page, session.userAgent)}${session.current ? html` <strong>(${t('page.sessions.current')})</strong>` : ''}</h2>
<dl class="facts">
  <dt>${t('page.sessions.created')}</dt><dd>${timeText(session.createdAt, page.locale)}</dd>
  <dt>${t('page.sessions.last_seen')}</dt><dd>${timeText(session.lastSeenAt, page.locale)}</dd>
  <dt>${t('page.sessions.ip')}</dt><dd>${session.ip}</dd>
</dl>
<form method="post" action="/settings/sessions/revoke">
  ${csrfField(page.csrfToken)}
  <input type="hidden" name="session_id" value="${session.publicId}">
  <button type="submit">${t('page.sessions.revoke')}</button>
</form>
</li>`;
}

export function sessionsPage(page: PageContext & { user: User }, sessions: readonly ListedSession[], problems: Problems = []): string {
  const { t } = page;
  const others = sessions.some((session) => !session.current);
  return layout(
    page,
    html`<h1>${t('page.sessions.heading')}</h1>
${errorSummary(page, problems, {})}
<p>${t('page.sessions.intro')}</p>
<ul class="stack">
${sessions.map((session) => sessionCard(page, session))}
</ul>
${
  others
    ? html`<form method="post" action="/settings/sessions/revoke-others">
  ${csrfField(page.csrfToken)}
  <button type="submit">${t('page.sessions.revoke_others')}</button>
</form>`
    : ''
}`,
  ).value;
}

export function deleteAccountPage(page: PageContext & { user: User }, problems: Problems = []): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.delete.heading')}</h1>
${errorSummary(page, problems, { current_password: 'current_password' })}
<p>${t('page.delete.intro', { username: page.user.username })}</p>
<form method="post" action="/settings/delete-account" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <input type="text" name="username" autocomplete="username" value="${page.user.username}" hidden>
  ${formField(page, { name: 'current_password', label: t('page.delete.current_password'), type: 'password', autocomplete: 'current-password' }, problems)}
  <button type="submit">${t('page.delete.submit')}</button>
</form>`,
  ).value;
}

/** The sign-out confirmation of `GET /logout?rd=…` (public-pages.ts): the form signs out; the link stays. */
export function signOutPage(page: PageContext & { user: User }, options: { rd: string | undefined }): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.logout.heading')}</h1>
<p>${t('page.logout.intro', { username: page.user.username })}</p>
<form method="post" action="/logout" class="stack">
  ${csrfField(page.csrfToken)}
  ${options.rd ? html`<input type="hidden" name="rd" value="${options.rd}">` : ''}
  <button type="submit">${t('page.logout.submit')}</button>
</form>
<p><a href="${options.rd ?? '/dashboard'}">${t('page.logout.stay')}</a></p>`,
  ).value;
}
