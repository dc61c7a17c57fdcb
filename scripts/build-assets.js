/**
 * Builds the browser assets under public/ from TypeScript sources, with esbuild's JS API:
 *   src/browser/strength-meter.ts → public/strength-meter.js (+ .gz and .br beside it)
 *
 * The meter bundles the server's password policy (domain/passwords/policy.ts) with the
 * zxcvbn-ts matcher and the 49 233-entry common-password list, so the browser applies the
 * very rules the server enforces. One self-contained IIFE, minified, no eval, no source map
 * in production; the precompressed copies let @fastify/static (`preCompressed: true`) serve
 * it without compressing on every request.
 *
 * Usage: `node scripts/build-assets.js` (exits non-zero on failure). Also exported as
 * `buildAssets()` for callers that want to build at start.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Each browser entry point and the file it becomes under public/. */
export const ASSETS = [{ entry: 'src/browser/strength-meter.ts', output: 'public/strength-meter.js' }];

/** The minified bundle of one entry point (relative to `root`), as bytes; writes nothing. */
export async function bundleAsset(entry, { root = ROOT } = {}) {
  const result = await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    legalComments: 'eof',
    charset: 'utf8',
    write: false,
    logLevel: 'warning',
  });
  return result.outputFiles[0].contents;
}

/** Builds every asset with its .gz and .br; resolves to [{ output, bytes, gzipBytes, brotliBytes }]. */
export async function buildAssets({ root = ROOT } = {}) {
  const results = [];
  for (const asset of ASSETS) {
    const output = path.join(root, asset.output);
    await mkdir(path.dirname(output), { recursive: true });
    const code = await bundleAsset(asset.entry, { root });
    const gzipped = await promisify(gzip)(code, { level: 9 });
    const brotli = await promisify(brotliCompress)(code, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.length },
    });
    await Promise.all([writeFile(output, code), writeFile(`${output}.gz`, gzipped), writeFile(`${output}.br`, brotli)]);
    results.push({ output: asset.output, bytes: code.length, gzipBytes: gzipped.length, brotliBytes: brotli.length });
  }
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    for (const { output, bytes, gzipBytes, brotliBytes } of await buildAssets()) {
      console.log(`${output}: ${bytes} bytes (gzip ${gzipBytes}, brotli ${brotliBytes})`);
    }
  } catch (error) {
    console.error(`build-assets: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
