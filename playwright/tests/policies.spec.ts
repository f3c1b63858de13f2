// Security policies in the browser: an Admin reviews the recommended policies of a new company
// and saves them (journey 2); a member's open browser applies the change at once (no reload),
// and two-factor authentication required sends a member without it to set it up, the vault
// opening again once it is on.
import { test, expect, type Page } from '@playwright/test';
import { expectVaultOpen, signInNewBrowser, uniqueEmail } from './support/account';
import { joinWithNewAccount, ownCompany, signUpAsMsp } from './support/orgs';
import { expectAllSaved } from './support/sync';
import { totp } from './support/totp';
import { createFolder, createItem, fillForm, nav, notice, openItem, openPlace, profileGroup, saveItem, search, shownItem, startItem } from './support/vault';

test('an Admin saves the recommended policies; a member is sent to set up 2FA at once', async ({ browser }) => {
  const memberEmail = uniqueEmail();
  const admin = await ownCompany(browser, [memberEmail]);
  const member = await joinWithNewAccount(browser, memberEmail);

  // A new company's Admin is asked to review the recommended policies (journey 2); the member
  // is not.
  await expect(admin.getByTestId('policy-review')).toBeVisible();
  await expect(member.getByTestId('policy-review')).toHaveCount(0);
  await admin.getByTestId('policy-review').getByRole('link', { name: 'Review the recommended policies' }).click();
  await expect(admin).toHaveURL(/\/policies$/);
  await expect(admin.getByTestId('policy-review')).toHaveCount(0);
  const form = admin.getByTestId('policies-form');
  await expect(form.getByTestId('review-recommended')).toBeVisible();
  // Standard tier: the advanced policies are shown but cannot be changed.
  await expect(form.getByTestId('advanced-locked')).toBeVisible();
  await expect(form.getByTestId('policy-password_auditing').getByRole('checkbox')).toBeDisabled();
  await expect(form.getByTestId('policy-two_factor').getByRole('checkbox')).not.toBeChecked();
  await form.getByRole('button', { name: 'Use recommended values' }).click();
  await expect(form.getByTestId('policies-notice')).toContainText('6 policies set to their recommended values');
  await expect(form.getByTestId('policy-two_factor').getByRole('checkbox')).toBeChecked();
  await expect(form.getByTestId('policy-disable_exports').getByRole('combobox')).toHaveValue('no_profiles');
  await form.getByRole('button', { name: 'Save 6 changes' }).click();
  await expect(form.getByTestId('policies-notice')).toContainText('Saved');
  await expect(form.getByTestId('review-recommended')).toHaveCount(0);
  await expect(form.getByTestId('policy-two_factor')).toContainText('Last changed by');
  await admin.getByRole('navigation', { name: 'Company admin' }).getByRole('link', { name: 'Users' }).click();
  await expect(admin.getByTestId('policy-review')).toHaveCount(0);

  // The member's open vault hears of it and is sent to set up two-factor authentication.
  await expect(member.getByTestId('policy-obligation')).toContainText('requires two-factor authentication');
  await expect(member).toHaveURL(/\/settings$/);
  await member.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  const secret = (await member.getByTestId('totp-secret').textContent())!;
  await member.getByLabel('Code from your authenticator app').fill(totp(secret));
  await member.getByRole('button', { name: 'Turn on' }).click();
  await expect(member.getByTestId('recovery-code')).toHaveCount(10);
  await member.getByRole('button', { name: 'I have saved them' }).click();
  await expect(member.getByTestId('policy-obligation')).toHaveCount(0);
  // While the company requires it, turning it off is refused with the reason.
  await member.getByLabel('Master password (to turn it off)').fill('correct horse battery staple');
  await member.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
  await expect(member.getByRole('alert')).toContainText('requires two-factor authentication');
  await member.getByRole('link', { name: 'Vault', exact: true }).click();
  await expectVaultOpen(member, memberEmail);
});

/** Sets one switch policy on the Admin's Policies page and saves it. */
async function setSwitch(admin: Page, name: string, on: boolean): Promise<void> {
  await admin.getByRole('navigation', { name: 'Company admin' }).getByRole('link', { name: 'Policies' }).click();
  const form = admin.getByTestId('policies-form');
  const box = form.getByTestId(`policy-${name}`).getByRole('checkbox');
  if (on) await box.check();
  else await box.uncheck();
  await form.getByRole('button', { name: 'Save 1 change' }).click();
  await expect(form.getByTestId('policies-notice')).toContainText('Saved');
}

test('disabling sharing makes shared folders read-only and stops new shares, in open browsers', async ({ browser }) => {
  test.setTimeout(180_000);
  const [ownerEmail, otherEmail] = [uniqueEmail(), uniqueEmail()];
  const admin = await ownCompany(browser, [ownerEmail, otherEmail]);
  const owner = await joinWithNewAccount(browser, ownerEmail);
  const other = await joinWithNewAccount(browser, otherEmail);

  await createFolder(owner, 'Personal', 'Servers');
  await openPlace(owner, 'Personal', 'Servers');
  await createItem(owner, 'Website login', { Title: 'web01', Username: 'root', Password: 'pw-1' });
  await createFolder(owner, 'Personal', 'Spare');
  const personal = profileGroup(owner, 'Personal');
  await openPlace(owner, 'Personal', 'Servers');
  await personal.getByRole('button', { name: 'Share folder' }).click();
  const dialog = personal.getByRole('dialog', { name: 'Share folder' });
  await dialog.getByLabel('Shared folder name').fill('Client servers');
  await dialog.getByLabel('Share with (addresses)').fill(otherEmail);
  await dialog.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(notice(owner)).toContainText(`Shared with ${otherEmail}`);
  await expectAllSaved(owner);
  const shared = (page: Page) => nav(page).getByRole('group', { name: 'Shared folders' });
  await expect(shared(other).getByRole('button', { name: 'Client servers', exact: true })).toBeVisible({ timeout: 30_000 });

  await setSwitch(admin, 'disable_sharing', true);

  // The owner's open browser: the share is read-only, nobody can be added, nothing new shared.
  await shared(owner).getByRole('button', { name: 'Client servers', exact: true }).click();
  const panel = owner.getByRole('region', { name: 'Shared folder' });
  await expect(panel.getByTestId('sharing-disabled')).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Add people' })).toHaveCount(0);
  await openItem(owner, 'web01');
  await expect(shownItem(owner).getByRole('button', { name: 'Edit', exact: true })).toHaveCount(0);
  await openPlace(owner, 'Personal', 'Spare');
  await expect(personal.getByRole('button', { name: 'Share folder' })).toHaveCount(0);
  // The recipient's too.
  await shared(other).getByRole('button', { name: 'Client servers', exact: true }).click();
  await openItem(other, 'web01');
  await expect(shownItem(other).getByRole('button', { name: 'Edit', exact: true })).toHaveCount(0);
  // A browser that tries anyway (a direct API call) is refused by the server.
  const status = await owner.evaluate(async () => (await fetch('/api/shares', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
  expect([400, 403]).toContain(status);

  // Sharing allowed again: editing and sharing come back.
  await setSwitch(admin, 'disable_sharing', false);
  await expect(shownItem(other).getByRole('button', { name: 'Edit', exact: true })).toBeVisible();
  await openPlace(owner, 'Personal', 'Spare');
  await expect(personal.getByRole('button', { name: 'Share folder' })).toBeVisible();
});

test('business items for the company domains go to Business and cannot move to Personal', async ({ browser }) => {
  test.setTimeout(120_000);
  const memberEmail = uniqueEmail();
  const admin = await ownCompany(browser, [memberEmail]);
  const member = await joinWithNewAccount(browser, memberEmail);
  await admin.getByRole('navigation', { name: 'Company admin' }).getByRole('link', { name: 'Settings' }).click();
  await expect(admin.getByLabel('Company name')).toHaveValue('Acme Ltd');
  await admin.getByLabel('Company domains').fill('acme.example');
  await admin.getByRole('button', { name: 'Save' }).click();
  await expect(admin.getByRole('status')).toHaveText('Saved.');
  await setSwitch(admin, 'force_business_items', true);
  await expect.poll(() => member.evaluate(async () => (await (await fetch('/api/account/policies')).json()).policies.force_business_items?.switch ?? false)).toBe(true);

  // A new item for a company address, started in Personal, is saved in Business.
  await openPlace(member, 'Personal');
  await startItem(member, 'Website login');
  await fillForm(member, { Title: 'Acme portal', 'Websites (one per line)': 'https://portal.acme.example/login', Username: 'me' });
  await saveItem(member);
  await expect(notice(member)).toContainText('Saved in Business: your company keeps items for acme.example there.');
  await expect(member.getByTestId('item-place')).toHaveText('Business');
  // It cannot move to Personal.
  await shownItem(member).getByRole('button', { name: 'Move to…' }).click();
  const dialog = member.getByRole('dialog', { name: 'Move to' });
  await dialog.getByRole('combobox', { name: 'Move to' }).selectOption({ label: 'Personal' });
  await dialog.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(dialog.getByRole('alert')).toContainText('keeps items for acme.example in the Business profile');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(member.getByTestId('item-place')).toHaveText('Business');
  // Anything else stays where it is put.
  await openPlace(member, 'Personal');
  await createItem(member, 'Website login', { Title: 'Webmail', 'Websites (one per line)': 'https://mail.example.org' });
  await expect(member.getByTestId('item-place')).toHaveText('Personal');
});

test('on an Advanced company: pages where the app stays quiet, and shares only to allowed recipients', async ({ page, browser }) => {
  test.setTimeout(180_000);
  // An MSP makes an Advanced company; its first Admin joins.
  const msp = uniqueEmail();
  await signUpAsMsp(page, msp, 'Northwind IT');
  const adminEmail = uniqueEmail();
  const form = page.getByTestId('new-company');
  await form.getByLabel('Company name').fill('Acme Ltd');
  await form.getByLabel('Tier').selectOption('advanced');
  await form.getByLabel('Contact email').fill('it@acme.example');
  await form.getByLabel("First Admin's email (invited now)").fill(adminEmail);
  await form.getByRole('button', { name: 'Create company' }).click();
  await expect(page.getByTestId('company-created')).toContainText('its first Admin was invited');
  const admin = await joinWithNewAccount(browser, adminEmail);

  await admin.getByRole('link', { name: 'Company admin' }).click();
  await admin.getByRole('navigation', { name: 'Company admin' }).getByRole('link', { name: 'Policies' }).click();
  const policies = admin.getByTestId('policies-form');
  await expect(policies.getByTestId('advanced-locked')).toHaveCount(0);
  await policies.getByTestId('policy-disabled_pages').getByRole('textbox').fill('psa.example.com/admin/*\nrmm.example');
  await policies.getByTestId('policy-restrict_sharing_recipients').getByRole('textbox').fill('example.com');
  // The lists are read when the field is left.
  await policies.getByTestId('policy-two_factor').getByRole('checkbox').focus();
  await policies.getByRole('button', { name: 'Save 2 changes' }).click();
  await expect(policies.getByTestId('policies-notice')).toContainText('Saved');

  // The member's settings list the pages; a matching item says so.
  await admin.getByRole('link', { name: 'Account settings' }).click();
  await expect(admin.getByTestId('disabled-pages')).toContainText('psa.example.com/admin/*');
  await expect(admin.getByTestId('company-policies')).toContainText('Sharing only with: example.com.');
  await admin.getByRole('link', { name: 'Vault', exact: true }).click();
  await openPlace(admin, 'Business');
  await createItem(admin, 'Website login', { Title: 'PSA admin', 'Websites (one per line)': 'https://psa.example.com/admin/tickets\nhttps://psa.example.com/login' });
  await expect(shownItem(admin).getByTestId('page-disabled')).toHaveCount(1);

  // A share to an address outside the list is refused before anything is sent.
  await createFolder(admin, 'Business', 'Tools');
  await openPlace(admin, 'Business', 'Tools');
  const business = profileGroup(admin, 'Business');
  await business.getByRole('button', { name: 'Share folder' }).click();
  const dialog = business.getByRole('dialog', { name: 'Share folder' });
  await dialog.getByLabel('Shared folder name').fill('Tools');
  await dialog.getByLabel('Share with (addresses)').fill('someone@elsewhere.example');
  await dialog.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(dialog.getByRole('alert')).toContainText('Your company lets you share only with example.com; not with someone@elsewhere.example.');
});

test('a master-password interval is announced ahead in open browsers and listed in the settings', async ({ browser }) => {
  const memberEmail = uniqueEmail();
  const admin = await ownCompany(browser, [memberEmail]);
  const member = await joinWithNewAccount(browser, memberEmail);
  await admin.getByRole('navigation', { name: 'Company admin' }).getByRole('link', { name: 'Policies' }).click();
  const form = admin.getByTestId('policies-form');
  const policy = form.getByTestId('policy-master_password_change');
  await policy.getByRole('checkbox').check();
  await policy.getByRole('spinbutton').fill('10');
  await policy.getByRole('spinbutton').blur();
  await form.getByRole('button', { name: 'Save 1 change' }).click();
  await expect(form.getByTestId('policies-notice')).toContainText('Saved');
  await expect(policy).toContainText('Last changed by');

  // Due ten days from now: announced (not yet forced), and the vault stays open.
  await expect(member.getByTestId('password-due')).toContainText('(in 10 days)');
  await expect(member.getByTestId('policy-obligation')).toHaveCount(0);
  await member.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account settings' }).click();
  await expect(member.getByTestId('company-policies')).toContainText('The master password must change every 10 days.');
});

test('under "Remove business profile items", a removed member keeps Personal and starts an empty Business profile', async ({ browser }) => {
  test.setTimeout(150_000);
  const memberEmail = uniqueEmail();
  const admin = await ownCompany(browser, [memberEmail]);
  const member = await joinWithNewAccount(browser, memberEmail);
  await openPlace(member, 'Personal');
  await createItem(member, 'Website login', { Title: 'Home router', Password: 'router-secret' });
  await openPlace(member, 'Business');
  await createItem(member, 'Website login', { Title: 'Client VPN', Password: 'vpn-secret' });
  await expectAllSaved(member);

  await setSwitch(admin, 'remove_business_on_removal', true);
  await admin.getByRole('navigation', { name: 'Company admin' }).getByRole('link', { name: 'Users' }).click();
  const row = admin.getByTestId('member-row').filter({ hasText: memberEmail });
  await row.getByTestId('member-remove').click();
  const dialog = admin.getByTestId('remove-dialog');
  await dialog.getByLabel('Type their email address to confirm').fill(memberEmail);
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(row.getByTestId('member-status')).toHaveText('Removed');

  // The member's open vault drops the Business items and opens a new, empty Business profile.
  await expect(member.getByRole('listbox', { name: 'Item list' }).getByText('Client VPN')).toHaveCount(0);
  await openItem(member, 'Home router');
  await search(member, '');
  await openPlace(member, 'Business');
  await expect(member.getByRole('listbox', { name: 'Item list' }).getByRole('option')).toHaveCount(0);
  await createItem(member, 'Website login', { Title: 'New business login', Password: 'fresh-1' });
  await expectAllSaved(member);
  // Another browser signing in later finds the same: Personal, and the new Business profile.
  const later = await (await browser.newContext()).newPage();
  await signInNewBrowser(later, memberEmail);
  await openItem(later, 'Home router');
  await search(later, '');
  await openPlace(later, 'Business');
  await expect(later.getByRole('listbox', { name: 'Item list' }).getByRole('option')).toHaveText([/New business login/]);
  await admin.getByRole('navigation', { name: 'Company admin' }).getByRole('link', { name: 'Activity' }).click();
  await expect(admin.getByTestId('activity-row').filter({ hasText: 'User removed' })).toContainText('Business profile stays with the company');
});
