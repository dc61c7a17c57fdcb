/**
 * What every page handler needs besides its domain call: the page context (user, CSRF token,
 * asset URLs, flash notice) and one-shot flash notices across a redirect. Notices travel as
 * a code in a signed cookie, never as text, so nothing user-controlled is echoed from it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PasswordConfig, SessionConfig } from '../../config.ts';
import { DEFAULT_MIN_SCORE } from '../../domain/passwords/policy.ts';
import { csrfTokenFor } from '../plugins/csrf.ts';
import { ensureSessionToken } from '../plugins/session.ts';
import { formatMessage, type MessageKey } from '../../messages/catalog.ts';
import { loadPageAssets } from './page-assets.ts';
import { safeNextPath } from './safe-redirect.ts';
import type { PageAssets, PageContext } from './views/layout.ts';
import type { MeterSettings } from './views/form-views.ts';

/** The flash cookie's name; in production `__Host-` (Secure, Path=/, no Domain: no subdomain can set it). */
export function flashCookieName(secure: boolean): string {
  return secure ? '__Host-gatehouse_flash' : 'gatehouse_flash';
}

/** Notices a redirect may carry; each has its sentence in the catalog (`flash.<code>`). */
export const FLASH_CODES = ['registered', 'signed-out', 'password-changed', 'email-verified', 'email-changed', 'verification-sent', 'email-change-sent', 'password-reset', 'account-secured', 'session-ended', 'other-sessions-ended', 'account-deleted',
  // The admin console's actions (admin-pages.ts).
  // Two-factor sign-in (two-factor-pages.ts).
  'two-factor-disabled',
  'admin-two-factor-reset',
  'admin-role-changed', 'admin-user-disabled', 'admin-user-enabled', 'admin-sessions-revoked', 'admin-user-deleted', 'admin-reset-sent', 'admin-verification-sent', 'admin-throttle-cleared',
  // OpenID Connect clients (admin-oidc-pages.ts).
  'admin-oidc-client-removed',
  // Passkeys (passkey-pages.ts).
  'passkey-added', 'passkey-renamed', 'passkey-removed',
  // Connected apps (connected-apps-pages.ts).
  'app-revoked'] as const;

export type FlashCode = (typeof FLASH_CODES)[number];

function isFlashCode(value: string): value is FlashCode {
  return (FLASH_CODES as readonly string[]).includes(value);
}

export interface Assets {
  stylesheet: string;
  strengthMeter?: string;
}

/**
 * What the language links carry over from the query: only a same-origin `next` (the sign-in
 * form would lose it). Any other parameter copied into every page's links would be text from
 * a link on a trusted page again, an id would make a refused profile differ from a missing
 * one, and a token would spread into more URLs.
 */
function keptQuery(query: unknown): Record<string, string> {
  const next = query && typeof query === 'object' ? safeNextPath((query as Record<string, unknown>).next, '') : '';
  return next ? { next } : {};
}

export interface PageTools {
  /** The password policy as the strength meter needs it, and the meter's script (if built). */
  readonly meter: MeterSettings;
  readonly meterScripts: string[];
  /**
   * The page context. `withForm` pages (sign-in, register) get an anonymous pre-session so
   * their CSRF token has something to bind to; other anonymous pages set no cookie.
   */
  context(request: FastifyRequest, reply: FastifyReply, title: MessageKey, options?: { withForm?: boolean; scripts?: string[] }): PageContext;
  flash(reply: FastifyReply, code: FlashCode): void;
  readonly assets: PageAssets;
}

export function createPageTools(options: { csrfKey: Buffer; sessions: SessionConfig; passwords: PasswordConfig; assets: Assets }): PageTools {
  const { csrfKey, sessions, passwords } = options;
  const assets: PageAssets = { ...options.assets, ...loadPageAssets() };
  const meter: MeterSettings = {
    minLength: passwords.minLength,
    maxLength: passwords.maxLength,
    minScore: passwords.minScore ?? DEFAULT_MIN_SCORE,
    requireClasses: passwords.requireClasses ?? false,
  };
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, path: '/', secure: sessions.secureCookie };
  const flashCookie = flashCookieName(sessions.secureCookie);

  function takeFlash(request: FastifyRequest, reply: FastifyReply): string | undefined {
    // Errors raised before the cookie plugin ran (a 429 from the request-rate limiter) render
    // this page too, with no cookies parsed yet.
    const raw = request.cookies?.[flashCookie];
    if (!raw) return undefined;
    reply.clearCookie(flashCookie, cookieOptions);
    const { valid, value } = request.unsignCookie(raw);
    return valid && value !== null && isFlashCode(value) ? formatMessage(`flash.${value}`, {}, request.locale) : undefined;
  }

  return {
    assets,
    meter,
    meterScripts: assets.strengthMeter ? [assets.strengthMeter] : [],
    context(request, reply, title, options = {}) {
      const token = options.withForm ? ensureSessionToken(request, reply, sessions) : request.sessionToken;
      const locale = request.locale;
      return {
        title: formatMessage(title, {}, locale),
        locale,
        path: request.url.split('?', 1)[0],
        query: keptQuery(request.query),
        t: (key, params) => formatMessage(key, params, locale),
        user: request.auth?.user ?? null,
        csrfToken: token ? csrfTokenFor(csrfKey, token) : '',
        assets,
        notice: takeFlash(request, reply),
        scripts: options.scripts,
      };
    },
    flash(reply, code) {
      reply.setCookie(flashCookie, code, { ...cookieOptions, signed: true, maxAge: 60 });
    },
  };
}
