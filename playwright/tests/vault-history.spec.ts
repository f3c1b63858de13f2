// An item's history: every saved change keeps the replaced version, which can be viewed and made
// current again; restoring keeps what it replaced; the history is stored with the vault.
import { expect, test, type Page } from '@playwright/test';
import { signUp, uniqueEmail, unlock } from './support/account';
import { collectProblems } from './support/app';
import { createItem, editItem, fieldValue, historyVersions, openItem } from './support/vault';

/** A login whose password was changed twice: first-pw, then second-pw, now third-pw. */
async function loginEditedTwice(page: Page): Promise<void> {
  await signUp(page, uniqueEmail());
  await createItem(page, 'Website login', { Title: 'Forum', Username: 'ada', Password: 'first-pw' });
  await editItem(page, { Password: 'second-pw' });
  await editItem(page, { Password: 'third-pw' });
  expect(await fieldValue(page, 'Password')).toBe('third-pw');
}

test('the history lists both older versions, newest first, and View shows their password', async ({ page }) => {
  const problems = collectProblems(page);
  await loginEditedTwice(page);
  const versions = await historyVersions(page);
  await expect(versions).toHaveCount(2);
  await expect(versions.nth(0)).toContainText('Replaced by an edit');
  await versions.nth(0).getByRole('button', { name: 'View' }).click();
  expect(await fieldValue(versions.nth(0), 'Password')).toBe('second-pw');
  await versions.nth(1).getByRole('button', { name: 'View' }).click();
  expect(await fieldValue(versions.nth(1), 'Password')).toBe('first-pw');
  expect(problems).toEqual([]);
});

test('restoring a version makes it current and keeps the replaced one in the history', async ({ page }) => {
  await loginEditedTwice(page);
  const versions = await historyVersions(page);
  await versions.nth(1).getByRole('button', { name: 'Restore this version' }).click();
  await expect(page.getByTestId('notice')).toContainText('Version restored');
  await expect.poll(() => fieldValue(page, 'Password')).toBe('first-pw');

  // The replaced version (third-pw) is now the newest past version; the older two are kept.
  const after = await historyVersions(page);
  await expect(after).toHaveCount(3);
  await expect(after.nth(0)).toContainText('Replaced by a restore');
  await expect(after.nth(1)).toContainText('Replaced by an edit');
  const expected = ['third-pw', 'second-pw', 'first-pw'];
  for (const [i, password] of expected.entries()) {
    await after.nth(i).getByRole('button', { name: 'View' }).click();
    expect(await fieldValue(after.nth(i), 'Password')).toBe(password);
  }
});

test('the history survives a reload and unlock', async ({ page }) => {
  await loginEditedTwice(page);
  await page.reload();
  await unlock(page);
  await openItem(page, 'Forum');
  expect(await fieldValue(page, 'Password')).toBe('third-pw');
  const versions = await historyVersions(page);
  await expect(versions).toHaveCount(2);
  await versions.nth(0).getByRole('button', { name: 'View' }).click();
  expect(await fieldValue(versions.nth(0), 'Password')).toBe('second-pw');
  await versions.nth(1).getByRole('button', { name: 'View' }).click();
  expect(await fieldValue(versions.nth(1), 'Password')).toBe('first-pw');
});
