// Companies and partners, journeys 1 to 3: an MSP signs up, makes its first customer company
// and invites its admin; the admin joins through the emailed link, verifies the browser and
// turns on two-factor authentication; the admin invites users one by one and from a CSV file
// with a bad row; a user joins and verifies a second browser; the admin removes the user,
// converting them to a personal account, and the user still opens their Personal items.
import { test, expect } from '@playwright/test';
import { PASSWORD, signInNewBrowser, signUp, uniqueEmail, unlock } from './support/account';
import { invitationLink, joinWithNewAccount, signUpAsMsp } from './support/orgs';
import { totp } from './support/totp';
import { createItem, openItem, openPlace } from './support/vault';

test('an MSP makes a customer company whose admin and users join, and a removed user keeps their Personal items', async ({ page, browser }) => {
  test.setTimeout(180_000);
  // Journey 1: the MSP signs up as an MSP, then creates its first customer company.
  const msp = uniqueEmail();
  await signUpAsMsp(page, msp, 'Northwind IT');
  const adminEmail = uniqueEmail();
  const form = page.getByTestId('new-company');
  await form.getByLabel('Company name').fill('Acme Ltd');
  await form.getByLabel('Contact email').fill('it@acme.example');
  await form.getByLabel("First Admin's email (invited now)").fill(adminEmail);
  await form.getByRole('button', { name: 'Create company' }).click();
  await expect(page.getByTestId('company-created')).toContainText('its first Admin was invited');
  const acmeRow = page.getByTestId('company-row').filter({ hasText: 'Acme Ltd' });
  await expect(acmeRow.locator('td').nth(3)).toHaveText('1');

  // Journey 2: the admin opens the link, sets a master password, verifies the browser, and
  // turns on two-factor authentication.
  const admin = await joinWithNewAccount(browser, adminEmail);
  await admin.getByRole('link', { name: 'Account settings' }).click();
  await admin.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  const secret = (await admin.getByTestId('totp-secret').textContent())!;
  await admin.getByLabel('Code from your authenticator app').fill(totp(secret));
  await admin.getByRole('button', { name: 'Turn on' }).click();
  await admin.getByRole('button', { name: 'I have saved them' }).click();
  await expect(admin.getByTestId('two-factor-state')).toContainText('On.');

  // Journey 3: one user by email, more from a CSV file with a bad row.
  await admin.getByRole('link', { name: 'Company admin' }).click();
  await expect(admin.getByTestId('company-name')).toHaveText('Acme Ltd');
  const userEmail = uniqueEmail();
  const one = admin.getByTestId('invite-one');
  await one.getByLabel('Email').fill(userEmail);
  await one.getByRole('button', { name: 'Send invitation' }).click();
  await expect(admin.getByTestId('invite-sent')).toContainText(userEmail);
  const csvA = uniqueEmail();
  const csvB = uniqueEmail();
  const csv = `email,name,role\n${csvA},Ann,user\nnot-an-address,Bad,user\n${csvB},Bo,admin\n`;
  await admin.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(admin.getByTestId('csv-summary')).toHaveText('2 will be invited. 1 rows will be left out.');
  await expect(admin.getByTestId('csv-refused')).toContainText('Not an email address.');
  await admin.getByTestId('csv-commit').click();
  await expect(admin.getByTestId('csv-summary')).toHaveText('2 invited. 1 rows left out.');
  await expect(admin.getByTestId('member-row')).toHaveCount(4);
  await invitationLink(csvA);
  await invitationLink(csvB);

  // The user joins, keeps a Personal item, and verifies a second browser.
  const user = await joinWithNewAccount(browser, userEmail);
  await openPlace(user, 'Personal');
  await createItem(user, 'Website login', { Title: 'Home router', Username: 'me', Password: 'router-secret' });
  await expect(user.getByRole('link', { name: 'Company admin' })).toHaveCount(0);
  const second = await (await browser.newContext()).newPage();
  await signInNewBrowser(second, userEmail);

  // The admin removes the user, converting them to a personal account.
  await admin.reload();
  await unlock(admin);
  const userRow = admin.getByTestId('member-row').filter({ hasText: userEmail });
  await expect(userRow.getByTestId('member-status')).toHaveText('Active');
  await userRow.getByTestId('member-remove').click();
  const dialog = admin.getByTestId('remove-dialog');
  await dialog.getByLabel('Type their email address to confirm').fill(userEmail);
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(userRow.getByTestId('member-status')).toHaveText('Removed');

  // The user still opens their Personal items.
  await second.reload();
  await expect(second.getByRole('heading', { name: 'Vault locked' })).toBeVisible();
  await second.getByLabel('Master password').fill(PASSWORD);
  await second.getByRole('button', { name: 'Unlock' }).click();
  await openItem(second, 'Home router');

  // The company's log shows who did what, and the MSP's visit.
  await page.goto('/');
  await unlock(page);
  await page.getByRole('link', { name: 'Partner' }).click();
  await page.getByRole('link', { name: 'Acme Ltd' }).click();
  await expect(page.getByTestId('partner-banner')).toContainText('This visit is recorded');
  await admin.getByRole('link', { name: 'Activity' }).click();
  await expect(admin.getByTestId('activity-row').first()).toContainText('Partner staff opened the admin view');
  await expect(admin.getByTestId('activity-row').filter({ hasText: 'User removed' })).toContainText('converted to a personal account');
});

test('a user never downloads admin data, and used or withdrawn links say so', async ({ page, browser }) => {
  const adminEmail = uniqueEmail();
  await signUp(page, adminEmail);
  await page.getByRole('link', { name: 'Set up an organization' }).click();
  await page.getByLabel('Company name').fill('Globex');
  await page.getByRole('button', { name: 'Create company' }).click();
  await expect(page.getByTestId('company-name')).toHaveText('Globex');
  const companyUrl = page.url();

  const userEmail = uniqueEmail();
  const one = page.getByTestId('invite-one');
  await one.getByLabel('Email').fill(userEmail);
  await one.getByRole('button', { name: 'Send invitation' }).click();
  const user = await joinWithNewAccount(browser, userEmail);

  // A User of the company asks the server for nothing of the admin views.
  const asked: string[] = [];
  user.on('request', (r) => {
    if (r.url().includes('/api/companies/')) asked.push(r.url());
  });
  for (const tab of ['/users', '/activity', '/settings']) {
    await user.goto(companyUrl.replace('/users', tab));
    await unlock(user);
    await expect(user.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  }
  expect(asked).toEqual([]);

  // A used link says so.
  const used = await (await browser.newContext()).newPage();
  await used.goto(await invitationLink(userEmail));
  await expect(used.getByTestId('invite-error')).toContainText('accepted already');

  // A withdrawn link says so, and who to ask.
  const gone = uniqueEmail();
  await one.getByLabel('Email').fill(gone);
  await one.getByRole('button', { name: 'Send invitation' }).click();
  const link = await invitationLink(gone);
  const row = page.getByTestId('member-row').filter({ hasText: gone });
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row.getByTestId('member-status')).toHaveText('Removed');
  const withdrawn = await (await browser.newContext()).newPage();
  await withdrawn.goto(link);
  await expect(withdrawn.getByTestId('invite-error')).toContainText(`withdrawn. Ask ${adminEmail}`);
  // A mangled link too.
  const mangled = await (await browser.newContext()).newPage();
  await mangled.goto(link.slice(0, -4) + 'AAAA');
  await expect(mangled.getByTestId('invite-error')).toContainText('not valid');
});
