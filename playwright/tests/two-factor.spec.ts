// Two-factor authentication: set-up with a QR code and a first code, sign-in that needs a fresh
// authenticator code (a used one is refused), and a recovery code that works once.
import { test, expect, type Page } from '@playwright/test';
import { expectVaultOpen, signIn, signUp, uniqueEmail } from './support/account';
import { totp } from './support/totp';

async function secondFactor(page: Page, code: string, recovery = false): Promise<void> {
  if (recovery) await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByLabel(recovery ? 'Recovery code' : 'Code from your authenticator app').fill(code);
  await page.getByRole('button', { name: 'Continue' }).click();
}

test('two-factor set-up, a used code refused, a fresh code and a recovery code accepted once', async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await page.getByRole('link', { name: 'Account settings' }).click();
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent())!;
  const enableCode = totp(secret);
  await page.getByLabel('Code from your authenticator app').fill(enableCode);
  await page.getByRole('button', { name: 'Turn on' }).click();
  const codes = page.getByTestId('recovery-code');
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.first().textContent())!;
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await expect(page.getByTestId('two-factor-state')).toHaveText('On. 10 recovery codes left.');

  // Signing in now asks for the authenticator; the code already used is refused.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await signIn(page, email);
  await secondFactor(page, enableCode);
  await expect(page.getByRole('alert')).toContainText('wrong or was already used');
  await signIn(page, email);
  await secondFactor(page, totp(secret, 1));
  await expectVaultOpen(page, email);

  // A recovery code works once.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await signIn(page, email);
  await secondFactor(page, recovery, true);
  await expectVaultOpen(page, email);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await signIn(page, email);
  await secondFactor(page, recovery, true);
  await expect(page.getByRole('alert')).toContainText('recovery code is wrong or was already used');
});
