// The per-browser sync choice: a browser may keep the vault on this device only (nothing sent or
// received, changes wait with their dots) until sync is turned back on; the company's "Online
// backups and device sync" policy takes the choice away and turns sync back on in open browsers.
import { expect, test, type Page } from '@playwright/test';
import { signUp, uniqueEmail, unlock } from './support/account';
import { joinWithNewAccount, ownCompany } from './support/orgs';
import { dot, expectAllSaved, syncState } from './support/sync';
import { createItem } from './support/vault';

/** Counts the page's pushes and pulls from now on. */
function countSyncRequests(page: Page): () => number {
  let count = 0;
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path === '/api/vault/push' || path === '/api/vault/pull') count += 1;
  });
  return () => count;
}

async function chooseSync(page: Page, deviceOnly: boolean): Promise<void> {
  await page.getByRole('link', { name: 'Account settings' }).click();
  const choice = page.getByTestId('sync-choice');
  await choice
    .getByLabel(deviceOnly ? 'Keep the vault on this device only' : 'Sync with the server', { exact: false })
    .check();
  await page.getByRole('link', { name: 'Vault', exact: true }).click();
}

test('a browser kept on this device only sends nothing until sync is turned back on', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await createItem(page, 'Website login', { Title: 'Synced first', Password: 'pw-1' });
  await expectAllSaved(page);

  await chooseSync(page, true);
  const requests = countSyncRequests(page);
  await createItem(page, 'Website login', { Title: 'Kept here', Password: 'pw-2' });
  await expect(syncState(page)).toContainText('On this device only: 1 change(s) kept in this browser');
  await expect(dot(page, 'Kept here')).toHaveClass(/yellow/);
  await expect(dot(page, 'Kept here')).toHaveAttribute('title', /device only/);
  // The choice belongs to this browser and outlives a reload.
  await page.reload();
  await unlock(page);
  await expect(syncState(page)).toContainText('On this device only: 1 change(s)');
  expect(requests()).toBe(0);

  await chooseSync(page, false);
  await expectAllSaved(page);
  await expect(dot(page, 'Kept here')).toHaveClass(/green/);
  expect(requests()).toBeGreaterThan(0);
});

test('"Online backups and device sync" turns a device-only browser back to sync, at once', async ({ browser }) => {
  test.setTimeout(150_000);
  const memberEmail = uniqueEmail();
  const admin = await ownCompany(browser, [memberEmail]);
  const member = await joinWithNewAccount(browser, memberEmail);
  await chooseSync(member, true);
  await createItem(member, 'Website login', { Title: 'Laptop only', Password: 'pw-3' });
  await expect(syncState(member)).toContainText('On this device only');

  await admin.getByRole('navigation', { name: 'Company admin' }).getByRole('link', { name: 'Policies' }).click();
  const form = admin.getByTestId('policies-form');
  await form.getByTestId('policy-online_backups').getByRole('checkbox').check();
  await form.getByRole('button', { name: 'Save 1 change' }).click();
  await expect(form.getByTestId('policies-notice')).toContainText('Saved');

  // The member's open vault syncs again and sends what waited; the choice is gone.
  await expectAllSaved(member);
  await expect(dot(member, 'Laptop only')).toHaveClass(/green/);
  await member.getByRole('link', { name: 'Account settings' }).click();
  await expect(member.getByTestId('sync-required')).toBeVisible();
  await expect(member.getByLabel('Keep the vault on this device only', { exact: false })).toBeDisabled();
  await expect(member.getByLabel('Sync with the server', { exact: false })).toBeChecked();
});
