/**
 * One account in the admin console: its facts, the actions on it and its recent security
 * events; and the confirmation pages of the destructive actions (change of role, disable,
 * sign out everywhere, delete). A destructive action is a link to its confirmation page,
 * whose POST form alone carries `confirm=yes`: the server refuses the action without it, so
 * nothing destructive happens in one click, with or without script. Every POST form carries
 * its `csrf_token`.
 */
import type { StoredAuditEvent } from '../../../domain/audit/events.ts';
import { ROLES, type User } from '../../../domain/users/user.ts';
import type { MessageKey } from '../../../messages/catalog.ts';
import { eventsTable, eventTime, type UserNames } from './admin-audit-views.ts';
import { adminLayout, type AdminPageContext, roleName, userState } from './admin-views.ts';
import { dateText } from './account-views.ts';
import { csrfField, errorSummary, type Problems } from './form-fields.ts';
import { html, type SafeHtml } from './html.ts';

/** The destructive actions, each with its confirmation page. */
export const CONFIRMED_ACTIONS = ['role', 'disable', 'revoke-sessions', 'reset-two-factor', 'delete'] as const;
export type ConfirmedAction = (typeof CONFIRMED_ACTIONS)[number];
/** The actions done at once from the user page. */
export const DIRECT_ACTIONS = ['enable', 'send-reset', 'resend-verification', 'unblock'] as const;
export type DirectAction = (typeof DIRECT_ACTIONS)[number];

export interface UserPageData {
  target: User;
  liveSessions: number;
  events: readonly StoredAuditEvent[];
  names: UserNames;
  problems: Problems;
}

function facts(page: AdminPageContext, target: User, liveSessions: number): SafeHtml {
  const { t } = page;
  return html`<dl class="facts" data-user-id="${target.id}">
  <dt>${t('page.admin.user.id')}</dt><dd>${target.id}</dd>
  <dt>${t('page.admin.user.username')}</dt><dd data-username>${target.username}</dd>
  <dt>${t('page.admin.user.email')}</dt><dd>${target.email}</dd>
  <dt>${t('page.admin.user.role')}</dt><dd data-role="${target.role}">${roleName(page, target.role)}</dd>
  <dt>${t('page.admin.user.state')}</dt><dd data-state>${userState(page, target)}</dd>
  <dt>${t('page.admin.user.verified')}</dt><dd>${target.emailVerifiedAt ? eventTime(target.emailVerifiedAt, page.locale) : t('page.admin.user.not_verified')}</dd>
  <dt>${t('page.admin.user.created')}</dt><dd>${dateText(target.createdAt, page.locale)}</dd>
  <dt>${t('page.admin.user.language')}</dt><dd>${target.locale ?? t('page.admin.user.no_language')}</dd>
  <dt>${t('page.admin.user.live_sessions')}</dt><dd data-count="live-sessions">${liveSessions}</dd>
</dl>`;
}

/** A POST button for an action done at once. */
function directForm(page: AdminPageContext, target: User, action: DirectAction, label: MessageKey, hint: MessageKey): SafeHtml {
  return html`<li><form method="post" action="/admin/users/${target.id}/${action}">
  ${csrfField(page.csrfToken)}
  <button type="submit">${page.t(label)}</button>
</form><p class="hint">${page.t(hint)}</p></li>`;
}

/** A link to the confirmation page of a destructive action. */
function confirmLink(page: AdminPageContext, target: User, action: ConfirmedAction, label: MessageKey, hint: MessageKey): SafeHtml {
  return html`<li><a class="button secondary" href="/admin/users/${target.id}/${action}">${page.t(label)}</a><p class="hint">${page.t(hint)}</p></li>`;
}

function actions(page: AdminPageContext, target: User): SafeHtml {
  return html`<ul class="admin-actions">
${confirmLink(page, target, 'role', 'page.admin.user.change_role', 'page.admin.user.change_role_hint')}
${target.disabled ? directForm(page, target, 'enable', 'page.admin.user.enable', 'page.admin.user.enable_hint') : confirmLink(page, target, 'disable', 'page.admin.user.disable', 'page.admin.user.disable_hint')}
${confirmLink(page, target, 'revoke-sessions', 'page.admin.user.revoke_sessions', 'page.admin.user.revoke_sessions_hint')}
${directForm(page, target, 'send-reset', 'page.admin.user.send_reset', 'page.admin.user.send_reset_hint')}
${target.emailVerifiedAt ? '' : directForm(page, target, 'resend-verification', 'page.admin.user.resend_verification', 'page.admin.user.resend_verification_hint')}
${directForm(page, target, 'unblock', 'page.admin.user.unblock', 'page.admin.user.unblock_hint')}
${confirmLink(page, target, 'reset-two-factor', 'page.admin.user.reset_two_factor', 'page.admin.user.reset_two_factor_hint')}
${confirmLink(page, target, 'delete', 'page.admin.user.delete', 'page.admin.user.delete_hint')}
</ul>`;
}

export function userPage(page: AdminPageContext, data: UserPageData): string {
  const { t } = page;
  const { target } = data;
  return adminLayout(
    page,
    html`<h1>${t('page.admin.user.heading', { username: target.username })}</h1>
${errorSummary(page, data.problems, {})}
${facts(page, target, data.liveSessions)}
<section aria-labelledby="actions-heading"><h2 id="actions-heading">${t('page.admin.user.actions_heading')}</h2>${actions(page, target)}</section>
<section aria-labelledby="events-heading"><h2 id="events-heading">${t('page.admin.user.events_heading')}</h2>
${eventsTable(page, data.events, data.names, t('page.admin.user.events_caption', { username: target.username }))}
<p><a href="/admin/audit?${new URLSearchParams({ user: target.username }).toString()}">${t('page.admin.user.all_events')}</a></p>
</section>`,
  );
}

const CONFIRM_TEXT: Readonly<Record<ConfirmedAction, { heading: MessageKey; body: MessageKey; submit: MessageKey }>> = {
  role: { heading: 'page.admin.confirm.role_heading', body: 'page.admin.confirm.role_body', submit: 'page.admin.confirm.role_submit' },
  disable: { heading: 'page.admin.confirm.disable_heading', body: 'page.admin.confirm.disable_body', submit: 'page.admin.confirm.disable_submit' },
  'revoke-sessions': { heading: 'page.admin.confirm.revoke_heading', body: 'page.admin.confirm.revoke_body', submit: 'page.admin.confirm.revoke_submit' },
  'reset-two-factor': { heading: 'page.admin.confirm.reset_two_factor_heading', body: 'page.admin.confirm.reset_two_factor_body', submit: 'page.admin.confirm.reset_two_factor_submit' },
  delete: { heading: 'page.admin.confirm.delete_heading', body: 'page.admin.confirm.delete_body', submit: 'page.admin.confirm.delete_submit' },
};

/** The confirmation page of a destructive action: what it does, and the one form that does it. */
export function confirmPage(page: AdminPageContext, target: User, action: ConfirmedAction, options: { role?: string; problems?: Problems } = {}): string {
  const { t } = page;
  const text = CONFIRM_TEXT[action];
  const chosen = options.role ?? (target.role === 'admin' ? 'user' : 'admin');
  const roleField =
    action === 'role'
      ? html`<div class="field"><label for="confirm-role">${t('page.admin.confirm.new_role')}</label>
  <select id="confirm-role" name="role">${ROLES.map((role) => html`<option value="${role}"${role === chosen ? html` selected` : ''}>${roleName(page, role)}</option>`)}</select></div>`
      : '';
  return adminLayout(
    page,
    html`<h1>${t(text.heading, { username: target.username })}</h1>
${errorSummary(page, options.problems ?? [], { role: 'confirm-role' })}
<p class="warning"><strong>${t('page.admin.confirm.warning_label')}</strong> ${t(text.body, { username: target.username, role: roleName(page, target.role) })}</p>
<form method="post" action="/admin/users/${target.id}/${action}" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <input type="hidden" name="confirm" value="yes">
  ${roleField}
  <div class="form-actions"><button type="submit" class="danger">${t(text.submit, { username: target.username })}</button> <a href="/admin/users/${target.id}">${t('page.admin.confirm.cancel')}</a></div>
</form>`,
  );
}
