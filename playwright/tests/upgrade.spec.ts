// Upgrading from the previous release: a server database and a browser vault made by it (the
// fixture in fixtures/previous-release/, see fixtures/make-previous-release.spec.ts) open in
// today's server and app. The server migrates its database at start-up; the browser keeps its
// vault and its changes that never reached the server, sends them, and pulls nothing twice. Its
// account, made before profile kinds were bound into the profile keys, is migrated by the first
// browser that opens it, and a browser that saw it migrated refuses the older form afterwards.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Response } from '@playwright/test';
import { expectVaultOpen, signIn, signInNewBrowser, unlock } from './support/account';
import { collectProblems } from './support/app';
import { restoreBrowserState, type BrowserState } from './support/browser-state';
import { dot, expectAllSaved, useJsonVaultWireIn } from './support/sync';
import { type Instance, startInstance, stop } from './support/instance';
import { fieldValue, historyVersions, openItem, search } from './support/vault';

const fixture = join(__dirname, '..', 'fixtures', 'previous-release');
const facts = JSON.parse(readFileSync(join(fixture, 'facts.json'), 'utf8')) as {
  email: string;
  password: string;
  pulledRevision: number;
};
const TITLES = ['Router admin', 'Bank', 'Payroll', 'Offline note'];

let server: Instance;

test.beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'strongroom-e2e-upgrade-'));
  cpSync(join(fixture, 'strongroom.db'), join(dataDir, 'strongroom.db'));
  server = await startInstance({}, dataDir);
});

test.afterAll(async () => {
  if (!server) return;
  await stop(server.process);
  rmSync(server.dataDir, { recursive: true, force: true });
});

test('a vault made by the previous release keeps everything and sends what was waiting', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  const problems = collectProblems(page);
  const state = JSON.parse(readFileSync(join(fixture, 'browser.json'), 'utf8')) as BrowserState;
  await restoreBrowserState(context, page, server.url, state);
  // The pulls are read below: in JSON.
  await useJsonVaultWireIn(context);

  // Every record the browser pulls after the upgrade is newer than what it had pulled before.
  const pulled: number[] = [];
  page.on('response', async (response: Response) => {
    if (new URL(response.url()).pathname !== '/api/vault/pull' || !response.ok()) return;
    const body = (await response.json()) as { records: { revision: number }[] };
    pulled.push(...body.records.map((r) => r.revision));
  });

  // The account's keys as the previous release left them, and the migration that binds the
  // profile kinds (sent once the vault opens).
  let olderForm: unknown;
  page.on('response', async (response: Response) => {
    const path = new URL(response.url()).pathname;
    if (olderForm === undefined && response.ok() && (path === '/api/account' || path === '/api/login')) {
      olderForm = await response.json();
    }
  });
  const migrated = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/api/account/profile-keys' && r.request().method() === 'PUT',
  );

  // The fixture's session may have run out since it was made: then the browser signs in again,
  // as a person would (it is a known browser, so no code is asked), and keeps its vault.
  await page.goto('/');
  const locked = page.getByRole('heading', { name: 'Vault locked' });
  const signInPage = page.getByRole('heading', { level: 1, name: 'Sign in' });
  await expect(locked.or(signInPage)).toBeVisible();
  if (await locked.isVisible()) {
    await unlock(page, facts.password);
  } else {
    await signIn(page, facts.email, facts.password);
  }
  await expectVaultOpen(page, facts.email);
  expect((await migrated).status(), 'the profile kinds were bound').toBe(200);
  expect(olderForm, 'the keys as the previous release made them').toBeDefined();

  // The two changes made offline under the previous release reach the server.
  await expectAllSaved(page);
  for (const title of TITLES) await expect(dot(page, title)).toHaveClass(/green/);
  await openItem(page, 'Payroll');
  expect(await fieldValue(page, 'Password')).toBe('payroll-pw-2-offline');
  expect(pulled.every((revision) => revision > facts.pulledRevision), `pulled again: ${pulled}`).toBe(true);

  // A browser new to the account gets the whole vault, history included, from the migrated
  // server.
  const fresh = await browser.newContext({ baseURL: server.url });
  const other = await fresh.newPage();
  let migratedAgain = false;
  other.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/account/profile-keys') migratedAgain = true;
  });
  await signInNewBrowser(other, facts.email, facts.password, server.mailDir);
  await expectAllSaved(other);
  for (const title of TITLES) {
    await search(other, title);
    await expect(dot(other, title)).toHaveClass(/green/);
  }
  await search(other, '');
  await openItem(other, 'Payroll');
  expect(await fieldValue(other, 'Password')).toBe('payroll-pw-2-offline');
  await openItem(other, 'Bank');
  await expect(await historyVersions(other)).toHaveCount(1);
  await openItem(other, 'Offline note');
  await expect(other.locator('.notes')).toHaveText('written while offline');
  expect(problems.filter((p) => p.startsWith('uncaught'))).toEqual([]);

  // The second browser saw the account kind-bound (and sent no migration of its own): a server
  // that serves it the older form later, to relabel a profile, is refused.
  await other.getByRole('button', { name: 'Sign out', exact: true }).click();
  await other.route('**/api/login', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, json: olderForm });
  });
  await signIn(other, facts.email, facts.password);
  await expect(other.getByRole('alert')).toContainText('older than this browser has seen');
  expect(migratedAgain).toBe(false);
  await fresh.close();
  await context.close();
});
