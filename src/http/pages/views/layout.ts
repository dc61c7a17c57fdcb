/** The page shell: head, navigation, flash notice, and the sign-out form on signed-in pages. */
import type { User } from '../../../domain/users/user.ts';
import type { Locale, MessageKey, MessageParams } from '../../../messages/catalog.ts';
import { html, type SafeHtml } from './html.ts';

export interface PageContext {
  title: string;
  /** The page's language (`<html lang>`), and its catalog: `t('page.home.title', { … })`. */
  locale: Locale;
  t: (key: MessageKey, params?: MessageParams) => string;
  user: User | null;
  csrfToken: string;
  assets: { stylesheet: string; strengthMeter?: string };
  notice?: string | undefined;
  /** Extra scripts, same-origin only (CSP `script-src 'self'`). */
  scripts?: string[];
}

export function layout(page: PageContext, body: SafeHtml): SafeHtml {
  const { user } = page;
  return html`<!doctype html>
<html lang="${page.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · Gatehouse</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${page.assets.stylesheet}">
${(page.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
<header class="top">
  <a class="brand" href="/">Gatehouse</a>
  <nav>
    ${
      user
        ? html`<a href="/dashboard">Dashboard</a>
    <a href="/profile">Profile</a>
    <form class="inline" method="post" action="/logout">
      <input type="hidden" name="csrf_token" value="${page.csrfToken}">
      <button type="submit" class="link">Sign out</button>
    </form>`
        : html`<a href="/login">Sign in</a> <a href="/register">Register</a>`
    }
  </nav>
</header>
<main>
${page.notice ? html`<p class="notice" role="status">${page.notice}</p>` : ''}
${body}
</main>
</body>
</html>`;
}

export function errorList(problems: readonly { message: string }[]): SafeHtml {
  if (problems.length === 0) return html``;
  return html`<div class="errors" role="alert"><ul>${problems.map((p) => html`<li>${p.message}</li>`)}</ul></div>`;
}
