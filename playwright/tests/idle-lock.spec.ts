// The vault locks itself after the chosen time without activity; activity postpones it.
// Playwright's clock moves time forward instead of waiting.
import { test, expect } from '@playwright/test';
import { expectVaultOpen, signUp, uniqueEmail, unlock } from './support/account';

test('the vault locks after 15 idle minutes by default', async ({ page }) => {
  await page.clock.install();
  const email = uniqueEmail();
  await signUp(page, email);
  await page.clock.fastForward('14:00');
  await expectVaultOpen(page, email);
  await page.clock.fastForward('01:30');
  await expect(page.getByRole('heading', { name: 'Vault locked' })).toBeVisible();
  await unlock(page);
  await expectVaultOpen(page, email);
});

test('a shorter delay can be chosen, and activity postpones the lock', async ({ page }) => {
  await page.clock.install();
  const email = uniqueEmail();
  await signUp(page, email);
  await page.getByRole('link', { name: 'Account settings' }).click();
  await page.getByLabel('Lock the vault after this long without activity').selectOption({ label: '5 minutes' });
  await page.clock.fastForward('04:00');
  await page.keyboard.press('Shift');
  await page.clock.fastForward('04:00');
  await expect(page.getByRole('heading', { name: 'Account settings' })).toBeVisible();
  await page.clock.fastForward('01:30');
  await expect(page.getByRole('heading', { name: 'Vault locked' })).toBeVisible();
  // The choice is kept by this browser.
  await unlock(page);
  await expectVaultOpen(page, email);
  await page.getByRole('link', { name: 'Account settings' }).click();
  await expect(page.getByLabel('Lock the vault after this long without activity')).toHaveValue('5');
});
