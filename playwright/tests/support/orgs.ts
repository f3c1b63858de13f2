// Companies in end-to-end tests: invitation links from the mail sink, and joining through one
// with a new account.
import { expect, type Browser, type Page } from '@playwright/test';
import { PASSWORD, expectVaultOpen, mailCount } from './account';
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
