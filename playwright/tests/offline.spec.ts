// Offline first: after a reload with no network the app starts from the service worker's cache,
// the vault unlocks from IndexedDB, items can be read and edited, and the edits are sent once the
// network is back.
import { expect, test, type Page } from '@playwright/test';
import { signInNewBrowser, signUp, uniqueEmail, unlock } from './support/account';
import { collectProblems } from './support/app';
import { createItem, fieldValue, fillForm, openItem, rows, saveItem } from './support/vault';

async function waitForOfflineApp(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    while (!navigator.serviceWorker.controller) await new Promise((r) => setTimeout(r, 50));
  });
}

test('offline: reload, unlock, read and edit; the edit is sent when the network is back', async ({ page, context, browser }) => {
  const problems = collectProblems(page);
  const email = uniqueEmail();
  await signUp(page, email);
  await createItem(page, 'Website login', { Title: 'Router', Username: 'admin', Password: 'before-offline' });
  await expect(page.getByTestId('sync-state')).toContainText('All changes saved');
  await waitForOfflineApp(page);

  await context.setOffline(true);
  const reloaded = await page.reload();
  expect(reloaded?.fromServiceWorker(), 'the page came from the app cache').toBe(true);
  await unlock(page);
  await expect(rows(page)).toHaveCount(1);
  await openItem(page, 'Router');
  expect(await fieldValue(page, 'Password')).toBe('before-offline');

  await page.getByRole('button', { name: 'Edit' }).click();
  await fillForm(page, { Password: 'edited-offline' });
  await saveItem(page);
  await expect(page.getByTestId('sync-state')).toContainText('Offline');
  await expect(rows(page).filter({ hasText: 'Router' }).getByTestId('sync-dot')).toHaveClass(/red/);

  // Still there after another reload with no network.
  await page.reload();
  await unlock(page);
  await openItem(page, 'Router');
  expect(await fieldValue(page, 'Password')).toBe('edited-offline');

  await context.setOffline(false);
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByTestId('sync-state')).toContainText('All changes saved');
  await expect(rows(page).filter({ hasText: 'Router' }).getByTestId('sync-dot')).toHaveClass(/green/);

  // Another browser receives the edit from the server.
  const other = await browser.newContext();
  const second = await other.newPage();
  await signInNewBrowser(second, email);
  await openItem(second, 'Router');
  expect(await fieldValue(second, 'Password')).toBe('edited-offline');
  await other.close();
  expect(problems.filter((p) => !p.includes('Failed to load resource') && !p.includes('net::ERR_INTERNET_DISCONNECTED'))).toEqual([]);
});
