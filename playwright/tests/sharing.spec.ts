// Shared folders between two people: a folder shared with "edit" reaches the recipient under
// Shared folders with its subfolders and items, edits travel both ways, and removing the
// recipient takes it out of their browser; a viewer can read and copy but not change; someone
// without an account is invited by email and gets the folder once they sign up.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { signUp, uniqueEmail } from './support/account';
import { inbox } from './support/mail';
import { expectAllSaved } from './support/sync';
import {
  createFolder,
  createItem,
  editItem,
  fieldValue,
  nav,
  notice,
  openItem,
  openPlace,
  profileGroup,
  rows,
  search,
  shownItem,
} from './support/vault';

async function person(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signUp(page, email);
  return page;
}

function sharedFolders(page: Page) {
  return nav(page).getByRole('group', { name: 'Shared folders' });
}

/** Alice's folder "Servers" (one login, and one in its subfolder "DB"), shared with `email`. */
async function shareServers(alice: Page, email: string, role: 'view' | 'edit' | 'manage'): Promise<void> {
  await createFolder(alice, 'Personal', 'Servers');
  await createFolder(alice, 'Personal', 'DB', 'Servers');
  await openPlace(alice, 'Personal', 'Servers');
  await createItem(alice, 'Website login', { Title: 'web01', Username: 'root', Password: 'pw-1' });
  await openPlace(alice, 'Personal', 'Servers / DB');
  await createItem(alice, 'Website login', { Title: 'db01', Username: 'postgres', Password: 'pw-db' });
  await openPlace(alice, 'Personal', 'Servers');
  const group = profileGroup(alice, 'Personal');
  await group.getByRole('button', { name: 'Share folder' }).click();
  const dialog = group.getByRole('dialog', { name: 'Share folder' });
  await dialog.getByLabel('Shared folder name').fill('Client servers');
  await dialog.getByLabel('Share with (addresses)').fill(email);
  await dialog.getByLabel('They can').selectOption(role);
  await dialog.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(notice(alice)).toContainText(`Shared with ${email}`);
  await expect(sharedFolders(alice).getByRole('button', { name: 'Client servers', exact: true })).toBeVisible();
  await expect(profileGroup(alice, 'Personal').getByRole('treeitem')).toHaveCount(0);
  await expectAllSaved(alice);
}

test('a shared folder reaches its recipient, edits travel both ways, and removal takes it away', async ({ browser }) => {
  const [aliceEmail, bobEmail] = [uniqueEmail(), uniqueEmail()];
  const bob = await person(browser, bobEmail);
  const alice = await person(browser, aliceEmail);
  await shareServers(alice, bobEmail, 'edit');

  // Bob's open browser gets it by itself, under the name Alice gave it, with its folders.
  const bobShare = sharedFolders(bob).getByRole('group', { name: 'Client servers' });
  await expect(bobShare).toBeVisible({ timeout: 30_000 });
  await expect(bobShare.getByRole('treeitem', { name: 'Servers / DB', exact: true })).toBeVisible();
  await bobShare.getByRole('button', { name: 'Client servers', exact: true }).click();
  await expect(bob.getByTestId('share-role')).toHaveText('You can edit');
  await expect(bob.getByRole('region', { name: 'Shared folder' })).toContainText(`Shared with you by ${aliceEmail}`);
  await expect(rows(bob)).toHaveCount(2);
  // Nobody but its owner renames a share: there is no rename for it, only for folders in it.
  await expect(bobShare.locator('.nav-row').first().getByRole('button', { name: /Rename/ })).toHaveCount(0);

  await openItem(bob, 'web01');
  expect(await fieldValue(bob, 'Password')).toBe('pw-1');
  await editItem(bob, { Password: 'pw-2' });
  await expectAllSaved(bob);
  await openItem(alice, 'web01');
  await expect.poll(() => fieldValue(alice, 'Password'), { timeout: 30_000 }).toBe('pw-2');

  // Alice removes Bob: the share leaves his browser at its next sync.
  await sharedFolders(alice).getByRole('button', { name: 'Client servers', exact: true }).click();
  const panel = alice.getByRole('region', { name: 'Shared folder' });
  await panel.getByText('Who has access').click();
  const bobRow = panel.getByRole('table', { name: 'Who has access' }).getByRole('row').filter({ hasText: bobEmail });
  await expect(bobRow).toContainText('Can edit');
  alice.once('dialog', (d) => d.accept());
  await bobRow.getByRole('button', { name: 'Remove' }).click();
  await expect(notice(alice)).toContainText(`${bobEmail} was removed`);
  // Alice's browser replaces the key in its next sync: the table then lists her alone, and no
  // re-key waits.
  await expect(panel.getByRole('table', { name: 'Who has access' }).getByRole('row')).toHaveCount(1, { timeout: 30_000 });
  await expect(panel).not.toContainText('the key will be replaced', { timeout: 30_000 });
  await expect(sharedFolders(bob)).toBeHidden({ timeout: 30_000 });
  await nav(bob).getByRole('button', { name: 'All items' }).click();
  await expect(rows(bob)).toHaveCount(0);
  // Alice still has all of it.
  await nav(alice).getByRole('button', { name: 'All items' }).click();
  await search(alice, '');
  await expect(rows(alice)).toHaveCount(2);
});

test('a viewer reads and copies a shared item but cannot change it', async ({ browser }) => {
  const [aliceEmail, bobEmail] = [uniqueEmail(), uniqueEmail()];
  const bob = await person(browser, bobEmail);
  const alice = await person(browser, aliceEmail);
  await shareServers(alice, bobEmail, 'view');

  const bobShare = sharedFolders(bob).getByRole('group', { name: 'Client servers' });
  await expect(bobShare).toBeVisible({ timeout: 30_000 });
  await bobShare.getByRole('button', { name: 'Client servers', exact: true }).click();
  await expect(bob.getByTestId('share-role')).toHaveText('You can view');
  await expect(bobShare.getByRole('button', { name: /New folder/ })).toHaveCount(0);
  await openItem(bob, 'db01');
  expect(await fieldValue(bob, 'Password')).toBe('pw-db');
  await expect(shownItem(bob).getByText('View only')).toBeVisible();
  for (const action of ['Edit', 'Move to…', 'Delete', '☆ Star']) {
    await expect(shownItem(bob).getByRole('button', { name: action, exact: true })).toHaveCount(0);
  }
  await expect(shownItem(bob).getByRole('button', { name: 'Copy' }).first()).toBeVisible();

  // Alice renames it; Bob's browser follows (he could not: no Rename for a viewer).
  await sharedFolders(alice).getByRole('button', { name: 'Client servers', exact: true }).click();
  const panel = alice.getByRole('region', { name: 'Shared folder' });
  await panel.getByRole('button', { name: 'Rename' }).click();
  await panel.getByRole('textbox', { name: 'Name' }).fill('Production servers');
  await panel.getByRole('dialog', { name: 'Rename shared folder' }).getByRole('button', { name: 'Rename' }).click();
  await expect(notice(alice)).toContainText('renamed');
  const renamed = sharedFolders(bob).getByRole('group', { name: 'Production servers' });
  await expect(renamed).toBeVisible({ timeout: 30_000 });
  await renamed.getByRole('button', { name: 'Production servers', exact: true }).click();
  await expect(bob.getByRole('region', { name: 'Shared folder' }).getByRole('button', { name: 'Rename' })).toHaveCount(0);

  // Bob leaves: gone from his browser, still Alice's.
  bob.once('dialog', (d) => d.accept());
  await bob.getByRole('region', { name: 'Shared folder' }).getByRole('button', { name: 'Leave shared folder' }).click();
  await expect(sharedFolders(bob)).toBeHidden({ timeout: 30_000 });
  await expect(sharedFolders(alice).getByRole('button', { name: 'Production servers', exact: true })).toBeVisible();
});

test('a folder shared with someone who has no account reaches them once they sign up', async ({ browser }) => {
  test.setTimeout(120_000);
  const alice = await person(browser, uniqueEmail());
  const newcomerEmail = uniqueEmail();
  await shareServers(alice, newcomerEmail, 'edit');
  await expect(notice(alice)).toContainText('invited by email');

  // The server mails them who shared, and where to sign up; never the folder's name.
  await expect.poll(() => inbox(newcomerEmail).filter((m) => m.subject.includes('shared a folder')).length).toBe(1);
  const mail = inbox(newcomerEmail).find((m) => m.subject.includes('shared a folder'))!;
  expect(mail.body).toContain('/signup');
  expect(mail.body).not.toContain('Client servers');
  await sharedFolders(alice).getByRole('button', { name: 'Client servers', exact: true }).click();
  await alice.getByText('Who has access').click();
  await expect(alice.getByRole('cell', { name: /^Invited by email/ })).toBeVisible();

  // They sign up; Alice's browser, online, hands them the key without anyone acting.
  const newcomer = await person(browser, newcomerEmail);
  const shared = sharedFolders(newcomer).getByRole('button', { name: 'Client servers', exact: true });
  await expect(shared).toBeVisible({ timeout: 30_000 });
  await shared.click();
  await openItem(newcomer, 'web01');
  expect(await fieldValue(newcomer, 'Password')).toBe('pw-1');
  await editItem(newcomer, { Password: 'pw-from-newcomer' });
  await expectAllSaved(newcomer);
});

test('a manager adds people and renames the folder; an editor can do neither', async ({ browser }) => {
  test.setTimeout(120_000);
  const [bobEmail, carolEmail] = [uniqueEmail(), uniqueEmail()];
  const bob = await person(browser, bobEmail);
  const carol = await person(browser, carolEmail);
  const alice = await person(browser, uniqueEmail());
  await shareServers(alice, bobEmail, 'manage');

  // Bob manages: he adds Carol as an editor and renames the folder.
  const bobShared = sharedFolders(bob).getByRole('button', { name: 'Client servers', exact: true });
  await expect(bobShared).toBeVisible({ timeout: 30_000 });
  await bobShared.click();
  await expect(bob.getByTestId('share-role')).toHaveText('You can manage');
  const panel = bob.getByRole('region', { name: 'Shared folder' });
  await panel.getByRole('button', { name: 'Add people', exact: true }).click();
  const add = panel.getByRole('dialog', { name: 'Add people' });
  await add.getByLabel('Addresses').fill(carolEmail);
  await add.getByLabel('They can').selectOption('edit');
  await add.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(notice(bob)).toContainText(`Shared with ${carolEmail}`);
  await panel.getByRole('button', { name: 'Rename', exact: true }).click();
  const rename = panel.getByRole('dialog', { name: 'Rename shared folder' });
  await rename.getByLabel('Name').fill('Client servers (prod)');
  await rename.getByRole('button', { name: 'Rename', exact: true }).click();
  await expect(notice(bob)).toContainText('renamed');

  // Carol gets it under its new name, as an editor: no way to add people or rename.
  const carolShared = sharedFolders(carol).getByRole('button', { name: 'Client servers (prod)', exact: true });
  await expect(carolShared).toBeVisible({ timeout: 30_000 });
  await carolShared.click();
  await expect(carol.getByTestId('share-role')).toHaveText('You can edit');
  const carolPanel = carol.getByRole('region', { name: 'Shared folder' });
  await expect(carolPanel).toBeVisible();
  await expect(carolPanel.getByRole('button', { name: 'Add people', exact: true })).toHaveCount(0);
  await expect(carolPanel.getByRole('button', { name: 'Rename', exact: true })).toHaveCount(0);
  // Asked directly, the server refuses her a change of who has access.
  const shares = await carol.evaluate(async () => (await (await fetch('/api/shares')).json()) as { id: string; lists: unknown[] }[]);
  const status = await carol.evaluate(async (share) => {
    const last = share.lists[share.lists.length - 1];
    const reply = await fetch(`/api/shares/${share.id}/lists`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ list: last, wrappings: [] }),
    });
    return reply.status;
  }, shares[0]);
  expect(status).toBe(403);
  // Alice, the owner, sees the new name too.
  await expect(sharedFolders(alice).getByRole('button', { name: 'Client servers (prod)', exact: true })).toBeVisible({ timeout: 30_000 });
});
