// Run by `npm ci` / `npm install` here (postinstall): minifies the livekit-client ES module build that
// the app serves (npm ships it unminified) and precompresses it, brotli at its best and gzip, so the app
// sends these files as they are. Without esbuild (an install with --omit=dev) it leaves a note and
// the app serves the unminified build instead.
import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const DIST = new URL('./node_modules/livekit-client/dist/', import.meta.url);
const SOURCE = new URL('livekit-client.esm.mjs', DIST);
const TARGET = new URL('livekit-client.esm.min.mjs', DIST);

/** @param {URL} file */
function precompress(file) {
  const raw = readFileSync(file);
  const brotli = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  });
  writeFileSync(new URL(`${file.href}.br`), brotli);
  writeFileSync(new URL(`${file.href}.gz`), gzipSync(raw, { level: 9 }));
  return { raw: raw.length, br: brotli.length };
}

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('build-vendor: esbuild is not installed (npm ci --omit=dev?); the app serves livekit-client unminified');
  process.exit(0);
}
await esbuild.build({
  entryPoints: [SOURCE.pathname],
  outfile: TARGET.pathname,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: 'es2022',
  logLevel: 'warning',
});
const sizes = precompress(TARGET);
console.log(`build-vendor: livekit-client.esm.min.mjs ${sizes.raw} bytes, ${sizes.br} with brotli`);
