// Moving things: an item into a folder or the other profile with "Move to…" or by dragging its
// row onto a folder; a folder by dragging or with "Move folder"; never a folder into itself.
import { expect, test } from '@playwright/test';
import { signUp, uniqueEmail, unlock } from './support/account';
import {
  createFolder,
  createItem,
  fieldValue,
  folderRow,
  moveItem,
  nav,
  notice,
  openItem,
  openPlace,
  profileGroup,
  row,
  rows,
} from './support/vault';

test('"Move to…" puts an item into a folder, and it is still there after a reload', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await createFolder(page, 'Personal', 'Travel');
  await createFolder(page, 'Personal', 'Trains', 'Travel');
  await openPlace(page, 'Personal');
  await createItem(page, 'Website login', { Title: 'Rail pass', Username: 'ada', Password: 'rail-pw' });
  await expect(page.getByTestId('item-place')).toHaveText('Personal');
  await moveItem(page, 'Personal / Travel / Trains');
  await openPlace(page, 'Personal', 'Travel / Trains');
  await expect(row(page, 'Rail pass')).toHaveCount(1);

  await page.reload();
  await unlock(page);
  await openItem(page, 'Rail pass');
  await expect(page.getByTestId('item-place')).toHaveText('Personal / Travel / Trains');
  expect(await fieldValue(page, 'Password')).toBe('rail-pw');
});

test('"Move to…" moves an item into the other profile, where it opens after a reload', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await createFolder(page, 'Business', 'Clients');
  await openPlace(page, 'Personal');
  await createItem(page, 'Website login', { Title: 'Client portal', Username: 'ada', Password: 'portal-pw' });
  await moveItem(page, 'Business / Clients');
  await openPlace(page, 'Personal');
  await expect(rows(page)).toHaveCount(0);
  await openPlace(page, 'Business', 'Clients');
  await expect(row(page, 'Client portal')).toHaveCount(1);
  await expect(page.getByTestId('sync-state')).toContainText('All changes saved');

  await page.reload();
  await unlock(page);
  await openItem(page, 'Client portal');
  await expect(page.getByTestId('item-place')).toHaveText('Business / Clients');
  expect(await fieldValue(page, 'Password')).toBe('portal-pw');
  await openPlace(page, 'Personal');
  await expect(rows(page)).toHaveCount(0);
});

test('a sync in the background leaves the "Move to" dialog and a revealed password as they were', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await createFolder(page, 'Personal', 'Archive');
  await openPlace(page, 'Personal');
  await createItem(page, 'Website login', { Title: 'Old mail', Username: 'ada', Password: 'old-mail-pw' });
  await expect(page.getByTestId('sync-state')).toContainText('All changes saved');
  const password = page.getByTestId('field-Password');
  await password.getByRole('button', { name: 'Reveal' }).click();
  await page.getByRole('button', { name: 'Move to…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Move to' });
  await dialog.getByRole('combobox', { name: 'Move to' }).selectOption({ label: 'Personal / Archive' });

  const pulled = page.waitForResponse((r) => r.url().includes('/api/vault/pull'));
  await page.getByRole('button', { name: 'Sync now' }).click();
  await pulled;
  await expect(page.getByTestId('sync-state')).toContainText('All changes saved');
  // The list and the item are read again after a sync; give that time to happen.
  await page.waitForTimeout(500);
  await expect(password.locator('.value')).toHaveText('old-mail-pw');
  await expect(dialog.getByRole('combobox', { name: 'Move to' }).locator('option:checked')).toHaveText('Personal / Archive');
  await dialog.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(page.getByTestId('item-place')).toHaveText('Personal / Archive');
});

test('dragging an item row onto a folder moves it there', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await createFolder(page, 'Personal', 'Shopping');
  await openPlace(page, 'Personal');
  await createItem(page, 'Website login', { Title: 'Bookshop', Username: 'ada' });
  await row(page, 'Bookshop').dragTo(folderRow(page, 'Personal', 'Shopping'));
  await expect(notice(page)).toHaveText('Item moved.');
  await expect(page.getByTestId('item-place')).toHaveText('Personal / Shopping');
  await openPlace(page, 'Personal', 'Shopping');
  await expect(row(page, 'Bookshop')).toHaveCount(1);
});

test('dragging a folder onto another nests it there, with its items', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await createFolder(page, 'Personal', 'Home');
  await createFolder(page, 'Personal', 'Garden');
  await openPlace(page, 'Personal', 'Garden');
  await createItem(page, 'Website login', { Title: 'Seed shop', Username: 'ada' });
  await folderRow(page, 'Personal', 'Garden').dragTo(folderRow(page, 'Personal', 'Home'));
  await expect(notice(page)).toHaveText('Folder moved.');
  const tree = profileGroup(page, 'Personal').getByRole('tree');
  await expect(tree.getByRole('treeitem')).toHaveCount(2);
  await expect(tree.getByRole('treeitem', { name: 'Home / Garden', exact: true })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: 'Garden', exact: true })).toHaveCount(0);
  await openItem(page, 'Seed shop');
  await expect(page.getByTestId('item-place')).toHaveText('Personal / Home / Garden');
});

test('a folder cannot be moved into its own subfolder', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await createFolder(page, 'Personal', 'Outer');
  await createFolder(page, 'Personal', 'Inner', 'Outer');
  await folderRow(page, 'Personal', 'Outer').dragTo(folderRow(page, 'Personal', 'Outer / Inner'));
  await expect(notice(page)).toHaveText('A folder cannot be moved into itself or into one of its own folders.');
  await expect(nav(page).getByRole('treeitem', { name: 'Outer', exact: true })).toBeVisible();
  await expect(nav(page).getByRole('treeitem', { name: 'Outer / Inner', exact: true })).toBeVisible();
});

test('the "Move folder" dialog moves a folder, and offers neither itself nor its subfolders', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await createFolder(page, 'Personal', 'Projects');
  await createFolder(page, 'Personal', 'Alpha', 'Projects');
  await createFolder(page, 'Personal', 'Archive');
  await openPlace(page, 'Personal', 'Projects');
  const group = profileGroup(page, 'Personal');
  await group.getByRole('button', { name: 'Move folder' }).click();
  const dialog = group.getByRole('dialog', { name: 'Move folder' });
  const select = dialog.getByLabel('Move folder to');
  await expect(select.locator('option')).toHaveText(['(top of the profile)', 'Archive']);
  await select.selectOption({ label: 'Archive' });
  await dialog.getByRole('button', { name: 'Move' }).click();
  await expect(group.getByRole('treeitem', { name: 'Archive / Projects / Alpha', exact: true })).toBeVisible();
  await page.reload();
  await unlock(page);
  await expect(profileGroup(page, 'Personal').getByRole('treeitem', { name: 'Archive / Projects / Alpha', exact: true })).toBeVisible();
});
