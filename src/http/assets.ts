/**
 * Static assets under /static/, cached for a year as immutable: every URL the pages use
 * carries the file's content hash (`?v=<sha256 prefix>`), so a changed file is a new URL.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Assets } from './pages/page-tools.ts';

export const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');

function versionedUrl(file: string): string | undefined {
  const full = path.join(PUBLIC_DIR, file);
  if (!existsSync(full)) return undefined;
  const hash = createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 16);
  return `/static/${file}?v=${hash}`;
}

export function loadAssets(): Assets {
  const stylesheet = versionedUrl('styles.css');
  if (!stylesheet) throw new Error(`missing ${path.join(PUBLIC_DIR, 'styles.css')}`);
  const strengthMeter = versionedUrl('strength-meter.js');
  return strengthMeter ? { stylesheet, strengthMeter } : { stylesheet };
}
