/**
 * The request's language: `?lang=en|es` (then remembered in the `gatehouse_lang` cookie for
 * a year, and, when signed in, on the account), else that cookie, else the signed-in
 * account's language, else the best of `Accept-Language` (q-values honoured, `es-MX` counts
 * as `es`), else English. Set on `request.locale` for every page, error and API message; the
 * API's `error` codes never change with it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DEFAULT_LOCALE, isLocale, type Locale } from '../messages/catalog.ts';

export const LOCALE_COOKIE = 'gatehouse_lang';
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale;
  }
}

/** The supported language `Accept-Language` prefers most; undefined when none is acceptable. */
export function negotiateLocale(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  let best: { locale: Locale; q: number } | undefined;
  for (const part of header.split(',').slice(0, 32)) {
    const [tag = '', ...params] = part.trim().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0 || q > 1) continue;
    const language = tag.trim().toLowerCase().split('-')[0];
    if (isLocale(language) && (!best || q > best.q)) best = { locale: language, q };
  }
  return best?.locale;
}

/** The language a request asked for by `?lang=` (the only query value read here), if valid. */
function requestedLocale(request: FastifyRequest): Locale | undefined {
  const lang = (request.query as Record<string, unknown> | undefined)?.lang;
  return isLocale(lang) ? lang : undefined;
}

const chosen = Symbol('locale');

/** The language of `request`, decided on first use and then kept for the request. */
function localeOf(request: FastifyRequest & { [chosen]?: Locale }): Locale {
  if (request[chosen]) return request[chosen];
  const remembered = request.cookies?.[LOCALE_COOKIE];
  const account = request.auth?.user.locale;
  const locale =
    requestedLocale(request) ??
    (isLocale(remembered) ? remembered : undefined) ??
    (isLocale(account) ? account : undefined) ??
    negotiateLocale(request.headers['accept-language']) ??
    DEFAULT_LOCALE;
  request[chosen] = locale;
  return locale;
}

async function localePlugin(app: FastifyInstance, options: { secureCookie: boolean }) {
  // A getter: requests that render no sentence (static files, most API reads) pay nothing.
  app.decorateRequest('locale', {
    getter(this: FastifyRequest) {
      return localeOf(this);
    },
  });
  app.addHook('onRequest', async function rememberLocale(request: FastifyRequest, reply: FastifyReply) {
    const requested = requestedLocale(request);
    if (!requested) return;
    reply.setCookie(LOCALE_COOKIE, requested, { path: '/', sameSite: 'lax', httpOnly: true, secure: options.secureCookie, maxAge: ONE_YEAR_SECONDS });
  });
}

export default fp(localePlugin, { name: 'locale', dependencies: ['@fastify/cookie'] });

/**
 * A `preHandler` for after the session is read: `?lang=` while signed in also becomes the
 * account's language (users.locale), which mail about the account follows.
 */
export function rememberAccountLocale(users: { setLocale(userId: number, locale: string): Promise<void> }) {
  return async function rememberAccountLocaleHook(request: FastifyRequest) {
    const requested = requestedLocale(request);
    const user = request.auth?.user;
    if (!requested || !user || user.locale === requested) return;
    await users.setLocale(user.id, requested);
    user.locale = requested;
  };
}
