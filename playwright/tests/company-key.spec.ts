// The company signing key: the first Admin's browser makes it; a link the Admin copies carries
// its fingerprint, which the invitee's browser checks the server's key against; the Admin's
// browser certifies members' keys, so members trust each other's keys without comparing
// fingerprints; a link naming another key blocks with a clear warning.
import { expect, test, type Page } from '@playwright/test';
import { uniqueEmail } from './support/account';
import { joinWithNewAccount, ownCompany } from './support/orgs';

/** The company key fingerprint `page`'s browser pinned, from its Contacts page. */
async function companyFingerprint(page: Page): Promise<{ digits: string; text: string }> {
  await page.getByRole('link', { name: 'Contacts' }).click();
  const shown = page.getByTestId('company-fingerprint');
  await expect(shown).toBeVisible({ timeout: 30_000 });
  const text = (await shown.textContent()) ?? '';
  const fp = /(\d{5} ){5}\d{5}/.exec(text)?.[0] ?? '';
  return { digits: fp.replace(/ /g, ''), text };
}

/** The link the Admin copies for the pending invitation of `email`. */
async function copyLink(admin: Page, email: string): Promise<string> {
  await admin.getByRole('link', { name: 'Company admin' }).click();
  await admin.getByRole('link', { name: 'Users' }).click();
  await admin.getByTestId('member-row').filter({ hasText: email }).getByTestId('member-copy-link').click();
  const text = admin.getByTestId('copied-link-text');
  await expect(text).toHaveValue(/\/invite#token=/);
  return text.inputValue();
}

test('a copied link carries the company key and members trust the keys it certifies', async ({ browser }) => {
  test.setTimeout(240_000);
  const [bobEmail, carolEmail] = [uniqueEmail(), uniqueEmail()];
  const admin = await ownCompany(browser, [bobEmail, carolEmail]);
  const made = await companyFingerprint(admin);
  expect(made.text).toContain('made by your browser');

  const link = await copyLink(admin, bobEmail);
  expect(link).toContain(`&fp=${made.digits}`);
  const bob = await joinWithNewAccount(browser, bobEmail, link);
  const pinned = await companyFingerprint(bob);
  expect(pinned.digits).toBe(made.digits);
  expect(pinned.text).toContain('checked against your invitation link');

  // Carol joins by the mailed link; the Admin's browser certifies her keys without anyone
  // acting, and Bob's browser trusts them as certified.
  await joinWithNewAccount(browser, carolEmail);
  const contacts = bob.getByTestId('contacts');
  await expect(async () => {
    await bob.getByLabel('Add a contact').fill(carolEmail);
    await bob.getByRole('button', { name: 'Look up' }).click();
    await expect(contacts.getByRole('row').filter({ hasText: carolEmail })).toContainText('Certified by your company', {
      timeout: 2_000,
    });
  }).toPass({ timeout: 60_000 });
  await expect(bob.getByTestId('company-key-problem')).toHaveCount(0);
});

test('a link whose fingerprint is not the company key blocks with a warning', async ({ browser }) => {
  test.setTimeout(180_000);
  const daveEmail = uniqueEmail();
  const admin = await ownCompany(browser, [daveEmail]);
  const made = await companyFingerprint(admin);
  const link = await copyLink(admin, daveEmail);
  // Someone changed the fingerprint (or the server serves a key the Admin never had).
  const other = made.digits.split('').map((d) => String((Number(d) + 1) % 10)).join('');
  const dave = await joinWithNewAccount(browser, daveEmail, link.replace(made.digits, other));
  await dave.getByRole('link', { name: 'Vault' }).first().click();
  await expect(dave.getByTestId('company-key-problem')).toContainText('not the one you trust', { timeout: 30_000 });
  await dave.getByRole('link', { name: 'Contacts' }).click();
  await expect(dave.getByTestId('company-fingerprint')).toHaveCount(0);
});
