/**
 * Builds the browser assets under public/ from TypeScript sources, with esbuild's JS API:
 *   src/browser/strength-meter.ts → public/strength-meter.js (+ .gz and .br beside it)
 *   src/browser/forms.ts          → public/forms.js (error-summary focus, show-password toggles)
 *   src/browser/passkeys.ts       → public/passkeys.js (WebAuthn ceremonies, with @simplewebauthn/browser)
 *
 * The meter speaks English and Spanish but carries only the catalog entries it needs: in its
 * bundle src/messages/catalog.ts is replaced by src/browser/meter-catalog.ts, and
 * src/browser/meter-messages.ts by a literal of the subset it computes (generated here from
 * the catalogs, so it can never drift from them).
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
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Each browser entry point and the file it becomes under public/. */
export const ASSETS = [
  { entry: 'src/browser/strength-meter.ts', output: 'public/strength-meter.js' },
  { entry: 'src/browser/forms.ts', output: 'public/forms.js' },
  { entry: 'src/browser/passkeys.ts', output: 'public/passkeys.js' },
];

/** esbuild plugin: the meter's catalog subset instead of the full catalogs (see the header). */
function meterCatalogSubset(root) {
  return {
    name: 'meter-catalog-subset',
    setup(build) {
      const catalog = path.join(root, 'src/messages/catalog.ts');
      build.onResolve({ filter: /(^|[\\/])catalog\.ts$/ }, (args) =>
        path.resolve(args.resolveDir, args.path) === catalog ? { path: path.join(root, 'src/browser/meter-catalog.ts') } : undefined,
      );
      build.onLoad({ filter: /[\\/]browser[\\/]meter-messages\.ts$/ }, async (args) => {
        const { METER_MESSAGES } = await import(pathToFileURL(args.path).href);
        return { contents: `export const METER_MESSAGES = ${JSON.stringify(METER_MESSAGES)};`, loader: 'js' };
      });
    },
  };
}

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
    plugins: [meterCatalogSubset(root)],
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
