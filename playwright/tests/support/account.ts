// Steps of the account journeys, by role and label as a person sees them.
import { expect, type Page } from '@playwright/test';
import { codeFor, defaultMailDir, inbox } from './mail';

export const PASSWORD = 'correct horse battery staple';

let counter = 0;
export function uniqueEmail(): string {
  counter += 1;
  return `user${Date.now()}${counter}@example.com`;
}

/** Signs up; `mailDir` is the mail folder of the server the page talks to (default: the config's). */
export async function signUp(page: Page, email: string, password = PASSWORD, mailDir = defaultMailDir()): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Master password', { exact: true }).fill(password);
  await page.getByLabel('Confirm master password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('signup-sent')).toContainText(email);
  await page.getByLabel('Code from the email').fill(await codeFor(email, 0, mailDir));
  await page.getByRole('button', { name: 'Confirm email' }).click();
  await expectVaultOpen(page, email);
}

export async function expectVaultOpen(page: Page, email: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'Vault', exact: true })).toBeAttached();
  await expect(page.getByTestId('account-email')).toHaveText(email);
  const nav = page.getByRole('navigation', { name: 'Vault' });
  await expect(nav.getByRole('group', { name: 'Personal' })).toBeVisible();
  await expect(nav.getByRole('group', { name: 'Business' })).toBeVisible();
}

export async function unlock(page: Page, password = PASSWORD): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Vault locked' })).toBeVisible();
  await page.getByLabel('Master password').fill(password);
  await page.getByRole('button', { name: 'Unlock' }).click();
}

export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Master password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export function mailCount(email: string, mailDir = defaultMailDir()): number {
  return inbox(email, mailDir).length;
}

/** Signs in from another browser (context), entering the code emailed for it. */
export async function signInNewBrowser(
  page: Page,
  email: string,
  password = PASSWORD,
  mailDir = defaultMailDir(),
): Promise<void> {
  const before = mailCount(email, mailDir);
  await signIn(page, email, password);
  await expect(page.getByTestId('login-code-asked')).toContainText('new to your account');
  await page.getByLabel('Code from the email').fill(await codeFor(email, before, mailDir));
  await page.getByRole('button', { name: 'Verify this browser' }).click();
  await expectVaultOpen(page, email);
}
