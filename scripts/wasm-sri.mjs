// Trunk post-build hook: makes the inline loader fetch the wasm with Subresource Integrity.
// Trunk writes an `integrity` attribute on a `<link rel="preload" as="fetch">` for the wasm, but
// Chromium ignores integrity on such preloads, and the loader's own fetch carries none. This
// rewrites `module_or_path: '/x_bg.wasm'` into a `Request` with the same integrity, so a wasm
// that does not match the hash never runs. The server hashes the final inline script for its CSP.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('wasm-sri: TRUNK_STAGING_DIR is not set (run me as a Trunk hook)');
  process.exit(1);
}
const file = join(dir, 'index.html');
const html = readFileSync(file, 'utf8');
const preload = html.match(/<link rel="preload" href="([^"]+_bg\.wasm)"[^>]*integrity="([^"]+)"/);
if (!preload) {
  console.error('wasm-sri: no wasm preload with an integrity attribute in index.html');
  process.exit(1);
}
const [, wasmPath, integrity] = preload;
const loader = `module_or_path: '${wasmPath}'`;
if (!html.includes(loader)) {
  console.error(`wasm-sri: the loader does not contain ${loader}; has Trunk's loader changed?`);
  process.exit(1);
}
const withSri = `module_or_path: new Request('${wasmPath}', { integrity: '${integrity}' })`;
writeFileSync(file, html.replace(loader, withSri));
console.log(`wasm-sri: ${wasmPath} is fetched with ${integrity.split('-')[0]} integrity`);
