/**
 * The pages' own static files beside the stylesheet and the meter (assets.ts): the product
 * mark, the favicon and the forms script, each at a content-hashed URL (`?v=<sha256
 * prefix>`, cached a year as immutable by static-route.ts). A missing file is left out: the
 * page then renders without it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PUBLIC_DIR } from '../assets.ts';
import type { PageAssets } from './views/layout.ts';

function versionedUrl(file: string): string | undefined {
  const full = path.join(PUBLIC_DIR, file);
  if (!existsSync(full)) return undefined;
  return `/static/${file}?v=${createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 16)}`;
}

export function loadPageAssets(): Pick<PageAssets, 'mark' | 'favicon' | 'forms' | 'passkeys'> {
  const found = { mark: versionedUrl('mark.svg'), favicon: versionedUrl('favicon.svg'), forms: versionedUrl('forms.js'), passkeys: versionedUrl('passkeys.js') };
  return Object.fromEntries(Object.entries(found).filter(([, url]) => url !== undefined));
}
