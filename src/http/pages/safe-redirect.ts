/**
 * Open-redirect defence: `next` is honoured only as a same-origin path. Anything with a
 * scheme, a host (`//evil.example`), a backslash (browsers read `/\evil` as `//evil`) or
 * control characters falls back to the default.
 */
export const DEFAULT_AFTER_LOGIN = '/dashboard';

export function safeNextPath(next: unknown, fallback = DEFAULT_AFTER_LOGIN): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2048) return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return fallback;
  if (/[\u0000-\u001f\u007f]/.test(next)) return fallback;
  try {
    const base = 'http://gatehouse.invalid';
    const url = new URL(next, base);
    if (url.origin !== base) return fallback;
    // Dot-segment removal can turn `/.//evil.example` into `//evil.example`: check the result too.
    const path = `${url.pathname}${url.search}${url.hash}`;
    if (path.startsWith('//') || path.startsWith('/\\')) return fallback;
    return path;
  } catch {
    return fallback;
  }
}
