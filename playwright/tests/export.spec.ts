// Exports: a profile leaves the browser only behind the master password, as an encrypted file
// that imports back whole (with its own password) or as a plain CSV in the importer's columns;
// the company's "Disable exports" policy limits members (not its Admins) in open browsers.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { PASSWORD, signUp, uniqueEmail } from './support/account';
import { joinWithNewAccount, ownCompany } from './support/orgs';
import { createFolder, createItem, fieldValue, openPlace, rows } from './support/vault';

const FILE_PASSWORD = 'Quiet harbour lantern 4417 sheep';

const ITEMS: Array<{ kind: string; fields: Record<string, string> }> = [
  { kind: 'Website login', fields: { Title: 'Bank', 'Websites (one per line)': 'https://bank.example\nhttps://login.bank.example', Username: 'alice', Password: 'bank-pw-1', 'Authenticator key (TOTP)': 'JBSWY3DPEHPK3PXP' } },
  { kind: 'Server', fields: { Title: 'Web server', Host: 'web1.example.net', Port: '22', Protocol: 'SSH', Username: 'root', Password: 'srv-pw-2', 'Private key': '-----BEGIN KEY-----\nabc\n-----END KEY-----' } },
  { kind: 'Credit card', fields: { Title: 'Company card', 'Cardholder name': 'A Person', 'Card number': '4111111111111234', Brand: 'Visa', 'Expiry (MM/YY)': '12/29', 'Security code': '123' } },
];

/** Exports `profile` in `format` from the Export page; returns the downloaded file's name and text. */
async function exportProfile(page: Page, profile: string, format: 'encrypted' | 'csv'): Promise<{ name: string; text: string }> {
  await page.getByRole('link', { name: 'Export', exact: true }).click();
  await page.getByLabel('Profile', { exact: true }).selectOption({ label: profile });
  if (format === 'csv') {
    await page.getByLabel('CSV: readable by other password managers and spreadsheets').check();
  } else {
    await page.getByLabel('Password for the file').fill(FILE_PASSWORD);
    await page.getByLabel("Confirm the file's password").fill(FILE_PASSWORD);
  }
  await page.getByLabel('Your master password').fill(PASSWORD);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const file = await download;
  await expect(page.getByTestId('export-done')).toContainText(`from ${profile}`);
  return { name: file.suggestedFilename(), text: readFileSync((await file.path())!, 'utf8') };
}

test('a profile exports encrypted and as CSV behind the master password; the file imports back whole', async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page, uniqueEmail());
  await createFolder(page, 'Personal', 'Clients');
  await openPlace(page, 'Personal', 'Clients');
  for (const { kind, fields } of ITEMS) await createItem(page, kind, fields);

  // The master password is asked again; a wrong one exports nothing.
  await page.getByRole('link', { name: 'Export', exact: true }).click();
  await page.getByLabel('Password for the file').fill(FILE_PASSWORD);
  await page.getByLabel("Confirm the file's password").fill(FILE_PASSWORD);
  await page.getByLabel('Your master password').fill('not my master password');
  let downloads = 0;
  page.on('download', () => (downloads += 1));
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('master password is wrong');
  // A weak file password is refused before anything is made.
  await page.getByLabel('Password for the file').fill('short');
  await page.getByLabel("Confirm the file's password").fill('short');
  await page.getByLabel('Your master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('stronger password for the file');
  expect(downloads).toBe(0);

  const encrypted = await exportProfile(page, 'Personal', 'encrypted');
  expect(encrypted.name).toMatch(/^strongroom-personal-\d{4}-\d{2}-\d{2}\.json$/);
  expect(JSON.parse(encrypted.text).format).toBe('strongroom-export');
  for (const secret of ['Bank', 'alice', 'bank-pw-1', 'srv-pw-2', '4111111111111234', 'Clients']) {
    expect(encrypted.text).not.toContain(secret);
  }

  const csv = await exportProfile(page, 'Personal', 'csv');
  expect(csv.name).toMatch(/\.csv$/);
  expect(csv.text.split('\r\n')[0]).toBe('title,type,url,username,password,totp,notes,folder,tags,favorite,fields');
  expect(csv.text).toContain('Bank,login,"https://bank.example\nhttps://login.bank.example",alice,bank-pw-1,JBSWY3DPEHPK3PXP,,Clients');
  expect(csv.text).toContain('number: 4111111111111234');

  // The encrypted file imports into Business with its own password, every field intact.
  await page.getByRole('link', { name: 'Import', exact: true }).click();
  await page.getByLabel('File', { exact: true }).setInputFiles({ name: encrypted.name, mimeType: 'application/json', buffer: Buffer.from(encrypted.text) });
  await page.getByLabel('Into profile').selectOption({ label: 'Business' });
  await page.getByLabel("The export file's password").fill('wrong file password 123');
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('alert')).toContainText("not this export file's password");
  await page.getByLabel("The export file's password").fill(FILE_PASSWORD);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('import-done')).toContainText('Imported 3 items');
  await page.getByRole('link', { name: 'Open the vault' }).click();
  for (const { kind, fields } of ITEMS) {
    await openPlace(page, 'Business', 'Clients');
    await rows(page).filter({ hasText: fields.Title }).first().click();
    await expect(page.getByRole('heading', { level: 2, name: fields.Title })).toBeVisible();
    await expect(page.getByTestId('item-kind')).toHaveText(kind);
    await expect(page.getByTestId('item-place')).toHaveText('Business / Clients');
    for (const [label, value] of Object.entries(fields)) {
      if (label === 'Title' || label.startsWith('Websites')) continue;
      expect(await fieldValue(page, label), `${fields.Title} ${label}`).toBe(value);
    }
  }
});

test('"Disable exports" limits a member in the open browser, never the Admin', async ({ browser }) => {
  test.setTimeout(180_000);
  const memberEmail = uniqueEmail();
  const admin = await ownCompany(browser, [memberEmail]);
  const member = await joinWithNewAccount(browser, memberEmail);
  await member.getByRole('link', { name: 'Export', exact: true }).click();
  await expect(member.getByLabel('Profile', { exact: true }).locator('option')).toHaveText(['Personal', 'Business']);
  await expect(member.getByTestId('export-limit')).toHaveCount(0);

  const setLimit = async (value: string) => {
    await admin.getByRole('navigation', { name: 'Company admin' }).getByRole('link', { name: 'Policies' }).click();
    const form = admin.getByTestId('policies-form');
    await form.getByTestId('policy-disable_exports').getByRole('combobox').selectOption(value);
    await form.getByRole('button', { name: 'Save 1 change' }).click();
    await expect(form.getByTestId('policies-notice')).toContainText('Saved');
  };
  await setLimit('personal_only');
  await expect(member.getByTestId('export-limit')).toContainText('Personal profile only');
  await expect(member.getByLabel('Profile', { exact: true }).locator('option')).toHaveText(['Personal']);
  await exportProfile(member, 'Personal', 'csv');

  await setLimit('no_profiles');
  await expect(member.getByTestId('export-limit')).toContainText('turned exports off');
  await expect(member.getByRole('button', { name: 'Export', exact: true })).toHaveCount(0);

  // The company's Admin is never limited.
  await admin.getByRole('link', { name: 'Export', exact: true }).click();
  await expect(admin.getByTestId('export-limit')).toHaveCount(0);
  await expect(admin.getByLabel('Profile', { exact: true }).locator('option')).toHaveText(['Personal', 'Business']);
  await exportProfile(admin, 'Business', 'encrypted');
});
