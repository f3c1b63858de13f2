// Background sync between two browsers of one account: a change made in one shows in the other by
// itself (the server announces it on the change feed and the other browser pulls), without a
// reload and without "Sync now". The rows' dots say where each change stands: yellow while it is
// on its way, green once stored, red when it cannot be sent (offline) or was refused. Edits made
// offline in both browsers are both kept: one current, the other in the item's history.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { signIn, signUp, uniqueEmail } from './support/account';
import { collectProblems } from './support/app';
import { createItem, editItem, fieldValue, historyVersions, openItem, row, search } from './support/vault';
import {
  countLoads,
  dot,
  expectAllSaved,
  feedOpened,
  holdPushes,
  secondBrowser,
  syncState,
  unexpected,
  useJsonVaultWire,
} from './support/sync';

/** Signs up in `page` and waits until its vault is synced and listening for changes. */
async function firstBrowser(page: Page): Promise<string> {
  const email = uniqueEmail();
  const listening = feedOpened(page);
  await signUp(page, email);
  await listening;
  await expectAllSaved(page);
  return email;
}

/** The shown item's password, read again until it is `expected` (it may arrive meanwhile). */
async function expectPassword(page: Page, expected: string): Promise<void> {
  await expect.poll(() => fieldValue(page, 'Password')).toBe(expected);
}

test('a change in one browser shows in the other by itself, both ways', async ({ page, browser }) => {
  const problems = collectProblems(page);
  const email = await firstBrowser(page);
  const b = await secondBrowser(browser, email);
  const problemsB = collectProblems(b.page);
  const loadsA = countLoads(page);
  const loadsB = countLoads(b.page);

  // A creates: B's list shows it.
  await createItem(page, 'Website login', { Title: 'Shared router', Username: 'admin', Password: 'first-pw' });
  await expect(row(b.page, 'Shared router')).toBeVisible();
  await openItem(b.page, 'Shared router');
  await expectPassword(b.page, 'first-pw');

  // A edits: B, with the item open, shows the new password.
  await editItem(page, { Password: 'second-pw' });
  await expectAllSaved(page);
  await expectPassword(b.page, 'second-pw');

  // B edits and creates: A shows both.
  await editItem(b.page, { Username: 'root' });
  await createItem(b.page, 'Secure note', { Title: 'Made in B' });
  await expectAllSaved(b.page);
  await expect(row(page, 'Made in B')).toBeVisible();
  await expect(dot(page, 'Made in B')).toHaveClass(/green/);
  await expect(dot(b.page, 'Shared router')).toHaveClass(/green/);
  await expect(row(page, 'Shared router')).toContainText('root');
  // A still shows the item it edited: its view follows B's edit.
  await expect.poll(() => fieldValue(page, 'Username')).toBe('root');
  await expectPassword(page, 'second-pw');

  expect(loadsA() + loadsB(), 'no page was reloaded').toBe(0);
  await b.context.close();
  expect(problems).toEqual([]);
  expect(problemsB).toEqual([]);
});

test('a dot is yellow while its change is on its way, then green', async ({ page }) => {
  const problems = collectProblems(page);
  await firstBrowser(page);

  // A new item, its push held.
  let push = await holdPushes(page);
  await createItem(page, 'Website login', { Title: 'Held back', Username: 'ada', Password: 'first-pw' });
  await push.held;
  await expect(dot(page, 'Held back')).toHaveClass(/yellow/);
  await expect(dot(page, 'Held back')).toHaveAttribute('title', 'Waiting to be sent');
  await expect(syncState(page)).toHaveText(/Syncing…|waiting to be sent/);
  push.release();
  await expect(dot(page, 'Held back')).toHaveClass(/green/);
  await expect(dot(page, 'Held back')).toHaveAttribute('title', 'Synchronised');
  await expectAllSaved(page);
  await page.unrouteAll({ behavior: 'wait' });

  // An edit, its push held.
  push = await holdPushes(page);
  await editItem(page, { Password: 'second-pw' });
  await push.held;
  await expect(dot(page, 'Held back')).toHaveClass(/yellow/);
  await expect(syncState(page)).toHaveText(/Syncing…|waiting to be sent/);
  push.release();
  await expect(dot(page, 'Held back')).toHaveClass(/green/);
  await expectAllSaved(page);
  expect(problems).toEqual([]);
});

test('an edit made offline is red, then sent by itself once online, and the other browser gets it', async ({
  page,
  context,
  browser,
}) => {
  const problems = collectProblems(page);
  const email = await firstBrowser(page);
  await createItem(page, 'Website login', { Title: 'Router', Username: 'admin', Password: 'before-offline' });
  await expectAllSaved(page);
  const b = await secondBrowser(browser, email);
  await openItem(b.page, 'Router');
  await expectPassword(b.page, 'before-offline');
  const loads = countLoads(page);
  const loadsB = countLoads(b.page);

  await context.setOffline(true);
  await editItem(page, { Password: 'edited-offline' });
  await expect(syncState(page)).toContainText('Offline');
  await expect(dot(page, 'Router')).toHaveClass(/red/);
  await expect(dot(page, 'Router')).toHaveAttribute('title', /^Not sent: the server cannot be reached/);
  // B still shows what the server has.
  expect(await fieldValue(b.page, 'Password')).toBe('before-offline');

  // Back online: no "Sync now", no reload.
  await context.setOffline(false);
  await expect(dot(page, 'Router')).toHaveClass(/green/);
  await expectAllSaved(page);
  await expectPassword(b.page, 'edited-offline');
  await expect(dot(b.page, 'Router')).toHaveClass(/green/);
  expect(loads() + loadsB(), 'no page was reloaded').toBe(0);

  await b.context.close();
  expect(unexpected(problems)).toEqual([]);
});

/**
 * The shown item's current password and, once its history has exactly one version kept as a
 * conflict, that version's password.
 */
async function currentAndConflict(page: Page): Promise<[string, string]> {
  const current = await fieldValue(page, 'Password');
  let conflicted = '';
  await expect(async () => {
    const versions = await historyVersions(page);
    const conflicts = versions.filter({ hasText: 'Conflict: changed in another browser at the same time' });
    await expect(conflicts).toHaveCount(1);
    const conflict: Locator = conflicts.first();
    if ((await conflict.getByTestId('field-Password').count()) === 0) {
      await conflict.getByRole('button', { name: 'View' }).click();
    }
    conflicted = await fieldValue(conflict, 'Password');
  }).toPass();
  return [current, conflicted];
}

test('edits of one item made offline in both browsers: one stays current, the other is in its history as a conflict', async ({
  page,
  context,
  browser,
}) => {
  const problems = collectProblems(page);
  const email = await firstBrowser(page);
  await createItem(page, 'Website login', { Title: 'Mail server', Username: 'postmaster', Password: 'original' });
  await expectAllSaved(page);
  const b = await secondBrowser(browser, email);
  const problemsB = collectProblems(b.page);
  await openItem(b.page, 'Mail server');
  await expectPassword(b.page, 'original');

  await context.setOffline(true);
  await b.context.setOffline(true);
  await editItem(page, { Password: 'from-A' });
  await editItem(b.page, { Password: 'from-B' });
  await expect(dot(page, 'Mail server')).toHaveClass(/red/);
  await expect(dot(b.page, 'Mail server')).toHaveClass(/red/);

  // A comes back first: its edit is stored.
  await context.setOffline(false);
  await expect(dot(page, 'Mail server')).toHaveClass(/green/);
  await expectAllSaved(page);
  await expect(dot(b.page, 'Mail server')).toHaveClass(/red/);

  // Then B: its edit meets A's on the server.
  await b.context.setOffline(false);
  await expect(dot(b.page, 'Mail server')).toHaveClass(/green/);
  await expectAllSaved(b.page);

  // Both browsers end with the same current version, and the other one in the history.
  const [currentA, conflictA] = await currentAndConflict(page);
  const [currentB, conflictB] = await currentAndConflict(b.page);
  expect([currentA, conflictA].sort()).toEqual(['from-A', 'from-B']);
  expect([currentB, conflictB].sort()).toEqual(['from-A', 'from-B']);
  expect(currentB).toBe(currentA);
  await expectAllSaved(page);
  await expectAllSaved(b.page);

  await b.context.close();
  expect(unexpected(problems)).toEqual([]);
  expect(unexpected(problemsB)).toEqual([]);
});

type Change = { id: string; change_id: string; kind: string; parent_id?: string; base_revision: number | null };

/**
 * Makes the server refuse one item's changes, as it answers a push holding a change it will not
 * store: the other changes go through, and the reply names the refused one with a code and a
 * reason. The refused item is the oldest new item (record ids grow with time) in the first push
 * after this call that creates one. Other pushes, and every push while `passThrough` is set
 * (e.g. while offline), go through to the server.
 */
async function refuseNewItem(page: Page, reason: string) {
  await useJsonVaultWire(page);
  const state = { refused: undefined as string | undefined, passThrough: false, pushes: [] as Change[][] };
  await page.route('**/api/vault/push', async (route) => {
    const changes = (route.request().postDataJSON() as { changes: Change[] }).changes;
    if (state.passThrough) return route.continue();
    state.pushes.push(changes);
    state.refused ??= changes
      .filter((c) => c.kind === 'item' && c.base_revision === null)
      .map((c) => c.id)
      .sort()[0];
    const refused = changes.find((c) => c.id === state.refused);
    if (!refused) return route.continue();
    const others = changes.filter((c) => c !== refused);
    let reply = { accepted: [] as unknown[], conflicts: [] as unknown[], refused: [] as unknown[] };
    if (others.length > 0) {
      const stored = await route.fetch({ postData: JSON.stringify({ changes: others }) });
      reply = await stored.json();
    }
    reply.refused.push({ id: refused.id, change_id: refused.change_id, code: 'invalid', message: reason });
    return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(reply) });
  });
  return state;
}

const REASON = 'This change is refused by the test.';
const REFUSED_TITLE = new RegExp(`^Refused by the server: ${REASON.replace('.', '\\.')} It is kept in this browser`);

test('a change the server refuses stays red with its reason while the others are stored', async ({ page, context }) => {
  const problems = collectProblems(page);
  await firstBrowser(page);
  await createItem(page, 'Website login', { Title: 'Stored before', Username: 'ada', Password: 'pw-1' });
  await expectAllSaved(page);

  // Two new items go out in one push (made offline); the server refuses the first one alone:
  // the second is stored and the first is kept, in red.
  const server = await refuseNewItem(page, REASON);
  server.passThrough = true;
  await context.setOffline(true);
  await createItem(page, 'Website login', { Title: 'Refused', Username: 'bob', Password: 'pw-2' });
  await createItem(page, 'Website login', { Title: 'Stored after', Username: 'cy', Password: 'pw-3' });
  await expect(syncState(page)).toContainText('Offline');
  server.passThrough = false;
  await context.setOffline(false);
  await expect(dot(page, 'Refused')).toHaveClass(/red/);
  await expect(dot(page, 'Refused')).toHaveAttribute('title', REFUSED_TITLE);
  await expect(dot(page, 'Stored after')).toHaveClass(/green/);
  await expect(dot(page, 'Stored before')).toHaveClass(/green/);
  await expect(syncState(page)).toContainText('1 change(s) refused by the server');
  expect(server.pushes[0].length, 'both new items went out in one push').toBe(2);

  // Another edit is stored; the refused change is not sent again and stays red.
  const sent = server.pushes.length;
  await openItem(page, 'Stored before');
  await editItem(page, { Username: 'ada-2' });
  await expect.poll(() => server.pushes.length).toBeGreaterThan(sent);
  expect(server.pushes.slice(sent).flat().map((c) => c.id)).not.toContain(server.refused);
  await expect(dot(page, 'Stored before')).toHaveClass(/green/);
  await search(page, '');
  await expect(dot(page, 'Refused')).toHaveClass(/red/);
  await expect(syncState(page)).toContainText('1 change(s) refused by the server');

  // The server accepts it now: editing it sends it again, and everything is stored.
  await page.unrouteAll({ behavior: 'wait' });
  await openItem(page, 'Refused');
  await editItem(page, { Username: 'bob-2' });
  await expect(dot(page, 'Refused')).toHaveClass(/green/);
  await expectAllSaved(page);
  expect(unexpected(problems)).toEqual([]);
});

// Editing an item whose creation the server refused stores the replaced version as a past
// version, which the server refuses too (its item is not stored). A refused change is sent
// again once edited, which a past version never is: it is sent again once its item is no longer
// refused, and the status line counts refusals per item.
test('editing a refused item, as its red dot advises, ends with everything stored', async ({ page }) => {
  await firstBrowser(page);
  const server = await refuseNewItem(page, REASON);
  await createItem(page, 'Website login', { Title: 'Refused', Username: 'bob', Password: 'pw-1' });
  await expect(dot(page, 'Refused')).toHaveAttribute('title', REFUSED_TITLE);

  // Edited while the server still refuses the item: the real server refuses the past version
  // (its item is not stored: "push the item first or in the same push").
  await editItem(page, { Username: 'bob-2' });
  await expect(syncState(page)).toContainText('1 change(s) refused by the server');
  await expect(dot(page, 'Refused')).toHaveAttribute('title', REFUSED_TITLE);
  expect(server.pushes.flat().some((c) => c.kind === 'history'), 'the past version was sent').toBe(true);

  // The server accepts the item now: edited again, it is stored, and so should be the rest.
  await page.unrouteAll({ behavior: 'wait' });
  await editItem(page, { Username: 'bob-3' });
  await expect(dot(page, 'Refused')).toHaveClass(/green/);
  await expectAllSaved(page);
});

test('signing out with a change not yet sent warns; staying keeps it, and it is sent once online', async ({
  page,
  context,
}) => {
  const problems = collectProblems(page);
  const email = await firstBrowser(page);
  await context.setOffline(true);
  await createItem(page, 'Website login', { Title: 'Made offline', Password: 'offline-1' });
  await expect(dot(page, 'Made offline')).toHaveClass(/red/);

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  const warning = page.getByTestId('unsent-warning');
  await expect(warning).toContainText('1 change made in this browser has not reached the server yet');
  await warning.getByRole('button', { name: 'Stay signed in' }).click();
  await expect(warning).toHaveCount(0);
  await expect(page.getByTestId('account-email')).toHaveText(email);
  await expect(row(page, 'Made offline')).toBeVisible();

  await context.setOffline(false);
  await expect(dot(page, 'Made offline')).toHaveClass(/green/);
  await expectAllSaved(page);
  // Nothing waits now: signing out asks nothing.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId('unsent-warning')).toHaveCount(0);
  expect(unexpected(problems)).toEqual([]);
});

test('signing out anyway deletes the change that was not sent, and only it', async ({ page, context }) => {
  const email = await firstBrowser(page);
  await createItem(page, 'Website login', { Title: 'Stored', Password: 'stored-1' });
  await expectAllSaved(page);
  await context.setOffline(true);
  await createItem(page, 'Website login', { Title: 'Never sent', Password: 'lost-1' });
  await expect(dot(page, 'Never sent')).toHaveClass(/red/);

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByTestId('unsent-warning').getByRole('button', { name: 'Sign out anyway' }).click();
  await expect(page).toHaveURL(/\/login$/);

  await context.setOffline(false);
  await signIn(page, email);
  await expect(page.getByTestId('account-email')).toHaveText(email);
  await expect(row(page, 'Stored')).toBeVisible();
  await expect(row(page, 'Never sent')).toHaveCount(0);
});

test('the vault stays open and syncing while another page is shown', async ({ page, browser }) => {
  const email = await firstBrowser(page);
  let streams = 0;
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/vault/events') streams += 1;
  });
  await page.getByRole('link', { name: 'Account settings' }).click();
  await expect(page.getByRole('heading', { name: 'Account settings' })).toBeVisible();
  // Another browser saves an item while this one shows its settings: the change feed, still
  // open, makes this browser pull it there.
  const b = await secondBrowser(browser, email);
  const pulled = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/vault/pull');
  await createItem(b.page, 'Website login', { Title: 'Made elsewhere', Username: 'ada', Password: 'pw-1' });
  await expectAllSaved(b.page);
  // Pulls travel in the binary wire, both ways, and the reply is not compressed.
  const pull = await pulled;
  const wire = 'application/vnd.strongroom.vault.v1+postcard';
  expect(pull.request().headers()['content-type']).toBe(wire);
  expect(pull.headers()['content-type']).toBe(wire);
  expect(pull.headers()['content-encoding'] ?? 'identity').toBe('identity');
  // Back to the vault: it is not opened again (no "Opening the vault…"), and the item is there.
  await page.getByRole('link', { name: 'Vault' }).click();
  await expect(row(page, 'Made elsewhere')).toBeVisible();
  await expect(page.getByText('Opening the vault')).toHaveCount(0);
  await expectAllSaved(page);
  expect(streams).toBe(0);
  await b.context.close();
});
