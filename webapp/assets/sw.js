// Strongroom's service worker: keeps the app itself (index.html and the hashed JS, wasm and CSS
// it names) in the Cache Storage so that the vault opens after a reload with no network. The
// vault's data never passes through here: it lives sealed in IndexedDB, and /api requests are
// left to the network untouched (never cached).
//
// Strategy: pages (navigations) go to the network first and fall back to the cached index.html;
// hashed assets are immutable, so they are served from the cache first. Each time a fresh
// index.html arrives, the assets it names are cached and every other cached asset is dropped.
'use strict';

const CACHE = 'strongroom-app-v1';
const INDEX = '/index.html';

/** Same-origin asset paths named by an index.html (script src, link href, the loader's wasm). */
function assetsOf(html) {
  const paths = new Set();
  for (const match of html.matchAll(/(?:src|href)="(\/[^"#?]+)"/g)) paths.add(match[1]);
  for (const match of html.matchAll(/'(\/[^']+\.(?:wasm|js))'/g)) paths.add(match[1]);
  return [...paths].filter((p) => p !== '/' && !p.startsWith('/api/'));
}

/** Caches `response` as the index and the assets it names; drops assets it no longer names. */
async function adoptIndex(response) {
  const cache = await caches.open(CACHE);
  const html = await response.clone().text();
  const wanted = assetsOf(html);
  for (const path of wanted) {
    if (!(await cache.match(path))) {
      const asset = await fetch(path, { cache: 'no-cache' });
      if (asset.ok) await cache.put(path, asset);
    }
  }
  await cache.put(INDEX, response);
  const keep = new Set([INDEX, ...wanted]);
  for (const request of await cache.keys()) {
    if (!keep.has(new URL(request.url).pathname)) await cache.delete(request);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    fetch(INDEX, { cache: 'no-cache' })
      .then((response) => (response.ok ? adoptIndex(response) : undefined))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

async function page(request) {
  try {
    const response = await fetch(request);
    if (response.ok && response.headers.get('content-type')?.startsWith('text/html')) {
      // Keep the app current for the next offline start; never delay the page for it.
      adoptIndex(response.clone()).catch(() => {});
    }
    return response;
  } catch {
    const cached = await caches.match(INDEX);
    return cached ?? Response.error();
  }
}

async function asset(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(new URL(request.url).pathname, response.clone());
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/sw.js') return;
  if (request.mode === 'navigate') {
    event.respondWith(page(request));
  } else {
    event.respondWith(asset(request));
  }
});
