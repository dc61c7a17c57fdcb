/** Types of scripts/build-assets.js, for the tests that import it. */
export declare const ASSETS: ReadonlyArray<{ entry: string; output: string }>;
export declare function bundleAsset(entry: string, options?: { root?: string }): Promise<Uint8Array>;
export declare function buildAssets(options?: {
  root?: string;
}): Promise<Array<{ output: string; bytes: number; gzipBytes: number; brotliBytes: number }>>;
