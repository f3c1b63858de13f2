// A browser's whole Strongroom state (every IndexedDB database of the origin with its stores,
// indexes and values, localStorage and cookies) as JSON, and back. The upgrade spec uses it to
// bring a vault made by the previous release into today's app.
import type { BrowserContext, Page } from '@playwright/test';

type Encoded = unknown;
type StoreDump = {
  name: string;
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: { name: string; keyPath: string | string[]; unique: boolean; multiEntry: boolean }[];
  records: { key: Encoded; value: Encoded }[];
};
export type BrowserState = {
  databases: { name: string; version: number; stores: StoreDump[] }[];
  localStorage: Record<string, string>;
  cookies: { name: string; value: string; path: string; secure: boolean; httpOnly: boolean; sameSite: 'Strict' | 'Lax' | 'None' }[];
};

/** Reads the page origin's IndexedDB databases and localStorage, and the context's cookies. */
export async function dumpBrowserState(page: Page): Promise<BrowserState> {
  const inPage = await page.evaluate(async () => {
    const b64 = (bytes: Uint8Array) => {
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    };
    const enc = (v: unknown): unknown => {
      if (v instanceof ArrayBuffer) return { $arrayBuffer: b64(new Uint8Array(v)) };
      if (ArrayBuffer.isView(v)) {
        return { $typed: v.constructor.name, $bytes: b64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
      }
      if (Array.isArray(v)) return v.map(enc);
      if (v && typeof v === 'object') {
        const o: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) o[k] = enc(x);
        return { $object: o };
      }
      return v;
    };
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((ok, fail) => {
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
    const databases = [];
    for (const info of await indexedDB.databases()) {
      const db = await request(indexedDB.open(info.name!));
      const stores = [];
      for (const name of Array.from(db.objectStoreNames)) {
        const store = db.transaction(name, 'readonly').objectStore(name);
        const keys = await request(store.getAllKeys());
        const values = await request(store.getAll());
        stores.push({
          name,
          keyPath: store.keyPath as string | string[] | null,
          autoIncrement: store.autoIncrement,
          indexes: Array.from(store.indexNames).map((i) => {
            const index = store.index(i);
            return { name: i, keyPath: index.keyPath as string | string[], unique: index.unique, multiEntry: index.multiEntry };
          }),
          records: keys.map((key, n) => ({ key: enc(key), value: enc(values[n]) })),
        });
      }
      databases.push({ name: db.name, version: db.version, stores });
      db.close();
    }
    const local: Record<string, string> = {};
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i)!;
      local[key] = localStorage.getItem(key)!;
    }
    return { databases, localStorage: local };
  });
  const cookies = (await page.context().cookies()).map((c) => ({
    name: c.name,
    value: c.value,
    path: c.path,
    secure: c.secure,
    httpOnly: c.httpOnly,
    sameSite: c.sameSite,
  }));
  return { ...inPage, cookies };
}

/**
 * Writes `state` into the browser of `page` for the origin `baseURL`, before the app runs
 * there: the page is taken to a URL of that origin that does not load the app (the health
 * endpoint), the databases are made with the dumped stores and values, then the cookies added.
 */
export async function restoreBrowserState(context: BrowserContext, page: Page, baseURL: string, state: BrowserState): Promise<void> {
  await page.goto(`${baseURL}/api/health`);
  await page.evaluate(async (state) => {
    const bytes = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
    const dec = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(dec);
      if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if ('$arrayBuffer' in o) return bytes(o.$arrayBuffer as string).buffer;
        if ('$typed' in o) {
          const raw = bytes(o.$bytes as string);
          const Typed = (globalThis as unknown as Record<string, new (b: ArrayBuffer) => unknown>)[o.$typed as string];
          return new Typed(raw.buffer);
        }
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(o.$object as Record<string, unknown>)) out[k] = dec(x);
        return out;
      }
      return v;
    };
    for (const dump of state.databases) {
      const open = indexedDB.open(dump.name, dump.version);
      open.onupgradeneeded = () => {
        const db = open.result;
        for (const s of dump.stores) {
          const store = db.createObjectStore(s.name, { keyPath: s.keyPath ?? undefined, autoIncrement: s.autoIncrement });
          for (const i of s.indexes) store.createIndex(i.name, i.keyPath, { unique: i.unique, multiEntry: i.multiEntry });
        }
      };
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        open.onsuccess = () => ok(open.result);
        open.onerror = () => fail(open.error);
      });
      for (const s of dump.stores) {
        const tx = db.transaction(s.name, 'readwrite');
        const store = tx.objectStore(s.name);
        for (const r of s.records) {
          if (s.keyPath === null) store.put(dec(r.value), dec(r.key) as IDBValidKey);
          else store.put(dec(r.value));
        }
        await new Promise<void>((ok, fail) => {
          tx.oncomplete = () => ok();
          tx.onerror = () => fail(tx.error);
        });
      }
      db.close();
    }
    for (const [k, v] of Object.entries(state.localStorage)) localStorage.setItem(k, v);
  }, state);
  const host = new URL(baseURL).hostname;
  await context.addCookies(state.cookies.map((c) => ({ ...c, domain: host })));
}
