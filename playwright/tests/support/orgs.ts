// Companies in end-to-end tests: invitation links from the mail sink, and joining through one
// with a new account.
import { expect, type Browser, type Page } from '@playwright/test';
import { PASSWORD, expectVaultOpen, mailCount, signUp, uniqueEmail } from './account';
import { codeFor, inbox } from './mail';

/** The link of the newest invitation mail to `email`. */
export async function invitationLink(email: string, count = 1): Promise<string> {
  let link = '';
  await expect
    .poll(() => {
      const mails = inbox(email).filter((m) => m.subject.includes('invited you'));
      if (mails.length < count) return '';
      link = /https?:\/\/\S+\/invite#token=[A-Za-z0-9_-]+/.exec(mails[mails.length - 1].body)?.[0] ?? '';
      return link;
    })
    .toContain('#token=');
  return link;
}

/** Opens an invitation link (the mailed one unless `given`) in a new browser, creates the
 *  account and verifies the browser. */
export async function joinWithNewAccount(browser: Browser, email: string, given?: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  const link = given ?? (await invitationLink(email));
  const before = mailCount(email);
  await page.goto(link);
  await expect(page.getByTestId('invite-offer')).toContainText(email);
  // The token is taken out of the address bar at once.
  await expect(page).toHaveURL(/\/invite$/);
  await page.getByLabel('Master password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account and join' }).click();
  await expect(page.getByTestId('invite-code-asked')).toBeVisible();
  await page.getByLabel('Code from the email').fill(await codeFor(email, before));
  await page.getByRole('button', { name: 'Verify this browser' }).click();
  await expectVaultOpen(page, email);
  return page;
}

/** Signs up an Admin whose own new company "Acme Ltd" invites `emails` by mail; returns the
 *  Admin's page (the invited have not joined). */
export async function ownCompany(browser: Browser, emails: string[]): Promise<Page> {
  const admin = await (await browser.newContext()).newPage();
  await signUp(admin, uniqueEmail());
  await admin.getByRole('link', { name: 'Set up an organization' }).click();
  const form = admin.getByTestId('new-own-company');
  await form.getByLabel('Company name').fill('Acme Ltd');
  await form.getByRole('button', { name: 'Create company' }).click();
  await expect(admin.getByTestId('company-name')).toHaveText('Acme Ltd');
  const one = admin.getByTestId('invite-one');
  for (const email of emails) {
    await one.getByLabel('Email').fill(email);
    await one.getByRole('button', { name: 'Send invitation' }).click();
    await expect(admin.getByTestId('invite-sent')).toContainText(email);
  }
  return admin;
}

/** Signs up `email` as an MSP whose partner is `name`; the page then shows the partner. */
export async function signUpAsMsp(page: Page, email: string, name: string): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Master password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm master password').fill(PASSWORD);
  await page.getByLabel('My MSP: create a partner that looks after customers').check();
  await page.getByLabel("Your MSP's name").fill(name);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByLabel('Code from the email').fill(await codeFor(email, 0));
  await page.getByRole('button', { name: 'Confirm email' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}
