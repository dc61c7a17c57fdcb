/** Page bodies. Every value is escaped by `html`; forms carry `csrf_token`. */
import type { User } from '../../../domain/users/user.ts';
import { errorList, layout, type PageContext } from './layout.ts';
import { html, type SafeHtml } from './html.ts';

type Problems = readonly { field?: string; message: string }[];

export interface MeterSettings {
  minLength: number;
  maxLength: number;
  minScore: number;
  requireClasses: boolean;
}

/** The strength meter's elements; the policy travels as data attributes so the script and the server agree. */
function strengthMeter(settings: MeterSettings, user?: { username: string; email: string }): SafeHtml {
  return html`<meter id="password-strength" min="0" max="4" value="0" hidden
    data-min-length="${settings.minLength}" data-max-length="${settings.maxLength}" data-min-score="${settings.minScore}"
    data-require-classes="${settings.requireClasses ? '1' : '0'}"${user ? html` data-username="${user.username}" data-email="${user.email}"` : ''}></meter>
  <p id="password-feedback" class="hint" aria-live="polite"></p>`;
}

function passwordHint(settings: MeterSettings): SafeHtml {
  return settings.requireClasses
    ? html`At least ${settings.minLength} characters, with upper- and lower-case letters, a digit and a symbol.`
    : html`At least ${settings.minLength} characters. A passphrase of several unrelated words works well; no need for symbols.`;
}

function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="csrf_token" value="${token}">`;
}

export function homePage(page: PageContext): string {
  return layout(
    page,
    html`<h1>Gatehouse</h1>
<p>A self-hostable sign-in system: server-side sessions, argon2id password hashing, CSRF protection and brute-force throttling.</p>
${page.user ? html`<p><a class="button" href="/dashboard">Go to your dashboard</a></p>` : html`<p><a class="button" href="/login">Sign in</a> or <a href="/register">create an account</a>.</p>`}`,
  ).value;
}

export function registerPage(
  page: PageContext,
  meter: MeterSettings,
  form: { username?: string; email?: string; problems?: Problems; closed?: boolean },
): string {
  const problems = form.problems ?? [];
  if (form.closed) return layout(page, html`<h1>Create an account</h1><p>Registration is closed.</p>`).value;
  return layout(
    page,
    html`<h1>Create an account</h1>
${errorList(problems)}
<form method="post" action="/register" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" required minlength="3" maxlength="50" value="${form.username ?? ''}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${form.email ?? ''}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required aria-describedby="password-help password-feedback">
  <p id="password-help" class="hint">${passwordHint(meter)}</p>
  ${strengthMeter(meter)}
  <button type="submit">Create account</button>
</form>
<p>Already registered? <a href="/login">Sign in</a>.</p>`,
  ).value;
}

export function loginPage(page: PageContext, form: { username?: string; next?: string; error?: string }): string {
  return layout(
    page,
    html`<h1>Sign in</h1>
${form.error ? errorList([{ message: form.error }]) : ''}
<form method="post" action="/login" class="stack">
  ${csrfField(page.csrfToken)}
  ${form.next ? html`<input type="hidden" name="next" value="${form.next}">` : ''}
  <label for="username">Username or email</label>
  <input id="username" name="username" autocomplete="username" required maxlength="254" value="${form.username ?? ''}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>
<p>New here? <a href="/register">Create an account</a>.</p>`,
  ).value;
}

export function dashboardPage(page: PageContext & { user: User }, message: string | undefined): string {
  return layout(
    page,
    html`<h1>Welcome, <span data-username>${page.user.username}</span></h1>
<p>Your role: <strong data-role>${page.user.role}</strong></p>
${message ? html`<p class="message" data-message>${message}</p>` : ''}
<p><a href="/profile">View your profile</a></p>`,
  ).value;
}

export function profilePage(page: PageContext, profile: User): string {
  return layout(
    page,
    html`<h1>Profile</h1>
<dl class="profile" data-user-id="${profile.id}">
  <dt>ID</dt><dd>${profile.id}</dd>
  <dt>Username</dt><dd>${profile.username}</dd>
  <dt>Email</dt><dd>${profile.email}</dd>
  <dt>Role</dt><dd>${profile.role}</dd>
  <dt>Created</dt><dd><time datetime="${profile.createdAt.toISOString()}">${profile.createdAt.toISOString().slice(0, 10)}</time></dd>
</dl>`,
  ).value;
}

export function errorPage(page: PageContext, status: number, message: string): string {
  return layout(page, html`<h1>${status === 404 ? 'Not found' : 'Sorry'}</h1><p class="error-message">${message}</p>`).value;
}

export function changePasswordPage(
  page: PageContext & { user: User },
  meter: MeterSettings,
  form: { problems?: Problems; required: boolean },
): string {
  return layout(
    page,
    html`<h1>Change your password</h1>
${form.required ? html`<p class="notice" role="status">Your password no longer meets the password policy. Please choose a new one to continue.</p>` : ''}
${errorList(form.problems ?? [])}
<form method="post" action="/settings/password" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <input type="text" name="username" autocomplete="username" value="${page.user.username}" hidden>
  <label for="current_password">Current password</label>
  <input id="current_password" name="current_password" type="password" autocomplete="current-password" required>
  <label for="password">New password</label>
  <input id="password" name="new_password" type="password" autocomplete="new-password" required aria-describedby="password-help password-feedback">
  <p id="password-help" class="hint">${passwordHint(meter)} Changing it signs out your other sessions.</p>
  ${strengthMeter(meter, page.user)}
  <button type="submit">Change password</button>
</form>`,
  ).value;
}
