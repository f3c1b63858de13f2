// Account settings in the browser: changing the master password, and the list of browsers with
// revoke and sign out everywhere.
import { test, expect, type Browser, type Page } from '@playwright/test';
import { PASSWORD, expectVaultOpen, mailCount, signIn, signUp, uniqueEmail, unlock } from './support/account';
import { codeFor } from './support/mail';

const NEW_PASSWORD = 'a completely different passphrase';

/** Signs in from a new browser context, entering the emailed code. */
async function secondBrowser(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  const before = mailCount(email);
  await signIn(page, email);
  await page.getByLabel('Code from the email').fill(await codeFor(email, before));
  await page.getByRole('button', { name: 'Verify this browser' }).click();
  await expectVaultOpen(page, email);
  return page;
}

test('changing the master password: the old one fails, the other browser is signed out, the new one opens', async ({ page, browser }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  const other = await secondBrowser(browser, email);

  await page.getByRole('link', { name: 'Account settings' }).click();
  await page.getByLabel('Current master password').fill(PASSWORD);
  await page.getByLabel('New master password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm new master password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change master password' }).click();
  await expect(page.getByRole('status')).toContainText('Master password changed');

  // The other browser's session ended: unlocking there sends it to sign in again.
  await other.reload();
  await unlock(other);
  await expect(other.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  // It pinned the old salt: the new one is taken only on the person's word that they changed
  // the master password (a server swapping it would otherwise go unnoticed).
  await signIn(other, email, PASSWORD);
  await expect(other.getByRole('alert')).toContainText('password settings changed');
  await other.getByLabel('I changed my master password in another browser').check();
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other.getByRole('alert')).toContainText('email or master password is wrong');
  await other.getByLabel('Master password', { exact: true }).fill(NEW_PASSWORD);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expectVaultOpen(other, email);

  // This browser: the old password no longer unlocks, the new one does, and the keys are intact.
  await page.getByRole('button', { name: 'Lock' }).click();
  await unlock(page, PASSWORD);
  await expect(page.getByRole('alert')).toContainText('master password is wrong');
  await unlock(page, NEW_PASSWORD);
  await expectVaultOpen(page, email);
  await other.context().close();
});

test('a wrong current password changes nothing', async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await page.goto('/settings');
  await unlock(page);
  // Wait for the open vault: settings seen while still locked send the person back to the vault.
  await expectVaultOpen(page, email);
  await page.getByRole('link', { name: 'Account settings' }).click();
  await page.getByLabel('Current master password').fill(PASSWORD + 'x');
  await page.getByLabel('New master password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm new master password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change master password' }).click();
  await expect(page.getByRole('alert')).toContainText('master password is wrong');
  await page.getByRole('button', { name: 'Lock' }).click();
  await unlock(page, PASSWORD);
  await expectVaultOpen(page, email);
});

test('browsers are listed, and a revoked one must verify by email again', async ({ page, browser }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  const other = await secondBrowser(browser, email);
  await page.getByRole('link', { name: 'Account settings' }).click();
  const rows = page.getByRole('region', { name: 'Browsers' }).getByRole('row');
  await expect(rows).toHaveCount(3); // header + two browsers
  await expect(page.getByRole('region', { name: 'Browsers' }).getByText('This browser', { exact: true })).toHaveCount(1);
  await page.getByRole('button', { name: /^Revoke / }).click();
  await expect(rows).toHaveCount(2);

  await other.reload();
  await unlock(other);
  await expect(other.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await signIn(other, email);
  await expect(other.getByTestId('login-code-asked')).toContainText('new to your account');
  await other.context().close();
});

test('sign out everywhere signs this browser out too', async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await page.getByRole('link', { name: 'Account settings' }).click();
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
});

test('ending another session signs that browser out', async ({ page, browser }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  const other = await secondBrowser(browser, email);
  await page.getByRole('link', { name: 'Account settings' }).click();
  const sessions = page.getByRole('region', { name: 'Sessions' });
  await expect(sessions.getByRole('row')).toHaveCount(3); // header + two sessions
  await expect(sessions.getByText('This session', { exact: true })).toHaveCount(1);
  await sessions.getByRole('button', { name: /^End the session of / }).click();
  await expect(sessions.getByRole('row')).toHaveCount(2);
  await other.reload();
  await unlock(other);
  await expect(other.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await other.context().close();
});
