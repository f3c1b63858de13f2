// Steps and probes of the background sync: the status line, the rows' dots, the server's change
// feed (GET /api/vault/events), and holding a push on its way to see what waits.
import { expect, type Browser, type BrowserContext, type Locator, type Page, type Response } from '@playwright/test';
import { PASSWORD, signInNewBrowser } from './account';
import { defaultMailDir } from './mail';
import { row } from './vault';

/** The status line's sync state ("Syncing…", "All changes saved · synced at …", "Offline: …"). */
export function syncState(page: Page): Locator {
  return page.getByTestId('sync-state');
}

/** The sync dot of the list row whose title is exactly `title`. */
export function dot(page: Page, title: string): Locator {
  return row(page, title).getByTestId('sync-dot');
}

/** Waits until everything made in this browser is stored on the server. */
export async function expectAllSaved(page: Page): Promise<void> {
  await expect(syncState(page)).toContainText('All changes saved');
}

/**
 * Resolves once the page's change feed is open (the server answered `/api/vault/events`).
 * Start waiting before the vault opens: a change announced before the browser listens is
 * only fetched by the next sync.
 */
export function feedOpened(page: Page): Promise<Response> {
  return page.waitForResponse((r) => new URL(r.url()).pathname === '/api/vault/events' && r.status() === 200);
}

/** A second browser (context) signed in to `email`, its vault synced and listening for changes. */
export async function secondBrowser(
  browser: Browser,
  email: string,
  options: { baseURL?: string; mailDir?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(options.baseURL ? { baseURL: options.baseURL } : {});
  const page = await context.newPage();
  const listening = feedOpened(page);
  await signInNewBrowser(page, email, PASSWORD, options.mailDir ?? defaultMailDir());
  await listening;
  await expectAllSaved(page);
  return { context, page };
}

/**
 * Holds every push (`POST /api/vault/push`) the page sends until `release` is called; `held`
 * resolves when the first one is being held. Pushes after the release go straight through.
 */
export async function holdPushes(page: Page): Promise<{ held: Promise<void>; release: () => void }> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const held = new Promise<void>((resolve) => (arrived = resolve));
  await page.route('**/api/vault/push', async (route) => {
    arrived();
    await gate;
    await route.continue();
  });
  return { held, release };
}

/** Problems a page reports that are not what going offline on purpose causes. */
export function unexpected(problems: string[]): string[] {
  return problems.filter(
    (p) =>
      !p.includes('Failed to load resource') &&
      !p.includes('net::ERR_INTERNET_DISCONNECTED') &&
      // The change feed (EventSource) logs its lost connection while offline.
      !p.includes('/api/vault/events'),
  );
}

/** Counts the page's loads from now on: a change must arrive without a reload. */
export function countLoads(page: Page): () => number {
  let loads = 0;
  page.on('load', () => (loads += 1));
  return () => loads;
}

/**
 * Makes the page's vault pulls and pushes travel as JSON instead of the binary wire, from its
 * next request on, so that a test can read and rewrite them (the app reads this setting before
 * every vault call).
 */
export async function useJsonVaultWire(page: Page): Promise<void> {
  await page.evaluate(() => localStorage.setItem('strongroom:vault-wire', 'json'));
}

/** The same, for every page of `context` from its first request on. */
export async function useJsonVaultWireIn(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => localStorage.setItem('strongroom:vault-wire', 'json'));
}
