/**
 * Logger options for Fastify's pino. Redaction removes credentials wherever they appear in
 * a log object, and the request serializer logs the path with query values of secret-bearing
 * parameters (`token`, `password`, …) replaced, so a reset link never reaches a log line.
 */
import type { FastifyServerOptions } from 'fastify';

export const REDACT_PATHS = [
  'password',
  '*.password',
  'current_password',
  '*.current_password',
  'new_password',
  '*.new_password',
  'passwordHash',
  '*.passwordHash',
  'password_hash',
  '*.password_hash',
  'token',
  '*.token',
  'csrf_token',
  '*.csrf_token',
  'csrfToken',
  '*.csrfToken',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
];

const SECRET_QUERY_KEYS = /^(token|password|code|secret|csrf_token)$/i;

/** The URL with secret-bearing query values replaced by `[Redacted]`. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const params = new URLSearchParams(url.slice(queryStart + 1));
  for (const key of [...params.keys()]) if (SECRET_QUERY_KEYS.test(key)) params.set(key, '[Redacted]');
  return `${url.slice(0, queryStart)}?${params.toString()}`;
}

export function loggerOptions(level: string, destination?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    serializers: {
      req(request: { method: string; url: string; ip?: string; id?: string }) {
        return { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip };
      },
    },
    ...(destination ? { stream: destination } : {}),
  } as FastifyServerOptions['logger'];
}
