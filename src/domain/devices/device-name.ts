/**
 * A readable device from a user agent ("Firefox 133 on Windows"), parsed by `bowser` (a
 * maintained parser) rather than by patterns of our own. Only names and the major version
 * are kept; an unknown part is `null` and the page says so in its language.
 */
import Bowser from 'bowser';

export interface DeviceName {
  /** The browser and its major version ("Firefox 133"), or null when unknown. */
  browser: string | null;
  /** The operating system ("Windows", "macOS"), or null when unknown. */
  os: string | null;
}

export function deviceName(userAgent: string): DeviceName {
  if (userAgent.trim() === '') return { browser: null, os: null };
  const parsed = Bowser.parse(userAgent);
  const major = parsed.browser.version?.split('.')[0];
  const browser = parsed.browser.name ? (major ? `${parsed.browser.name} ${major}` : parsed.browser.name) : null;
  return { browser, os: parsed.os.name || null };
}
