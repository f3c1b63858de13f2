// Accounts in the browser against the real server and the real mail path: sign-up with the
// emailed code, lock and unlock (also offline), and a second browser that must be verified.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { collectProblems } from './support/app';
import { PASSWORD, expectVaultOpen, mailCount, signIn, signUp, uniqueEmail, unlock } from './support/account';
import { codeFor } from './support/mail';

test('sign up with the emailed code opens an empty vault; after a reload it is locked', async ({ page }) => {
  const problems = collectProblems(page);
  const email = uniqueEmail();
  await signUp(page, email);
  await expect(page.getByRole('listbox', { name: 'Item list' })).toContainText('No items here yet');
  await page.reload();
  await expect(page.getByTestId('locked-email')).toHaveText(email);
  await unlock(page);
  await expectVaultOpen(page, email);
  expect(problems).toEqual([]);
});

test('a weak or mistyped master password is refused with the reason', async ({ page }) => {
  await page.goto('/signup');
  await page.getByLabel('Email').fill(uniqueEmail());
  await page.getByLabel('Master password', { exact: true }).fill('password123');
  await expect(page.getByTestId('strength-label')).toHaveText('Too weak');
  await expect(page.getByText('Use at least 12 characters')).toBeVisible();
  await page.getByLabel('Confirm master password').fill('password123');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert')).toContainText('Choose a stronger master password');
  await page.getByLabel('Master password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm master password').fill(PASSWORD + '!');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert')).toContainText('not the same');
});

test('the lock screen refuses a wrong password, and Lock drops back to it', async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await page.getByRole('button', { name: 'Lock' }).click();
  await unlock(page, PASSWORD + 'x');
  await expect(page.getByRole('alert')).toContainText('master password is wrong');
  await unlock(page);
  await expectVaultOpen(page, email);
});

test('the vault unlocks offline from the keys kept in this browser', async ({ page, context }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await page.getByRole('button', { name: 'Lock' }).click();
  await context.setOffline(true);
  await unlock(page);
  await expectVaultOpen(page, email);
  await context.setOffline(false);
});

test('a second browser must enter the code emailed for it', async ({ page, browser }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  const other = await browser.newContext();
  const second = await other.newPage();
  const before = mailCount(email);
  await signIn(second, email);
  await expect(second.getByTestId('login-code-asked')).toContainText('new to your account');
  const code = await codeFor(email, before);
  await second.getByLabel('Code from the email').fill(code);
  await second.getByRole('button', { name: 'Verify this browser' }).click();
  await expectVaultOpen(second, email);
  await other.close();
});

test('a wrong code is refused and repeated wrong codes are rate limited with a message', async ({ page, browser }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  const other = await browser.newContext();
  const second = await other.newPage();
  let sawLimit = false;
  for (let attempt = 0; attempt < 8 && !sawLimit; attempt++) {
    await signIn(second, email);
    const asked = second.getByTestId('login-code-asked');
    const alert = second.getByRole('alert');
    await expect(asked.or(alert)).toBeVisible();
    if (await alert.isVisible() && /Too many attempts/.test((await alert.textContent()) ?? '')) {
      sawLimit = true;
      break;
    }
    await second.getByLabel('Code from the email').fill('00000000');
    await second.getByRole('button', { name: 'Verify this browser' }).click();
    await expect(second.getByRole('alert')).toBeVisible();
    const text = (await second.getByRole('alert').textContent()) ?? '';
    if (/Too many attempts/.test(text)) sawLimit = true;
    else expect(text).toContain('code is wrong');
  }
  expect(sawLimit).toBe(true);
  await other.close();
});

test('signing in with a wrong password says so without telling whether the account exists', async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await signIn(page, email, PASSWORD + 'x');
  const wrong = (await page.getByRole('alert').textContent()) ?? '';
  await signIn(page, uniqueEmail(), PASSWORD);
  await expect(page.getByRole('alert')).toHaveText(wrong);
  expect(wrong).toContain('email or master password is wrong');
});

test('a code already used to verify one browser is refused in another', async ({ page, browser }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  const secondContext = await browser.newContext();
  const second = await secondContext.newPage();
  const before = mailCount(email);
  await signIn(second, email);
  const used = await codeFor(email, before);
  await second.getByLabel('Code from the email').fill(used);
  await second.getByRole('button', { name: 'Verify this browser' }).click();
  await expectVaultOpen(second, email);

  const thirdContext = await browser.newContext();
  const third = await thirdContext.newPage();
  await signIn(third, email);
  await expect(third.getByTestId('login-code-asked')).toBeVisible();
  await third.getByLabel('Code from the email').fill(used);
  await third.getByRole('button', { name: 'Verify this browser' }).click();
  await expect(third.getByRole('alert')).toContainText('code is wrong or has expired');
  await secondContext.close();
  await thirdContext.close();
});

test('an expired code is refused', async ({ page, browser }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  const before = mailCount(email);
  await signIn(other, email);
  const code = await codeFor(email, before);
  // Ten minutes pass on the server: age the code in the server's own database.
  execFileSync('sqlite3', [
    '-cmd', '.timeout 5000',
    join(process.env.STRONGROOM_E2E_DATA_DIR!, 'strongroom.db'),
    'UPDATE email_code SET expires_at = created_at WHERE used_at IS NULL',
  ]);
  await other.getByLabel('Code from the email').fill(code);
  await other.getByRole('button', { name: 'Verify this browser' }).click();
  await expect(other.getByRole('alert')).toContainText('code is wrong or has expired');
  await otherContext.close();
});
