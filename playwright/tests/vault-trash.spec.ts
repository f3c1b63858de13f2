// The trash: deleting moves an item there; it can be restored into its folder or deleted for
// good; deleting a folder sends its items (also in its subfolders) there.
import { expect, test } from '@playwright/test';
import { signUp, uniqueEmail, unlock } from './support/account';
import {
  createFolder,
  createItem,
  deleteItem,
  nav,
  openPlace,
  openScope,
  profileGroup,
  row,
  rows,
  shownItem,
} from './support/vault';

test('a deleted item leaves All items and is listed in the trash', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await createItem(page, 'Website login', { Title: 'Old forum', Username: 'ada' });
  await createItem(page, 'Website login', { Title: 'Keeper', Username: 'ada' });
  await openScope(page, 'All items');
  await row(page, 'Old forum').click();
  await deleteItem(page);
  await expect(row(page, 'Old forum')).toHaveCount(0);
  await expect(row(page, 'Keeper')).toHaveCount(1);
  await openScope(page, 'Trash');
  await expect(rows(page)).toHaveCount(1);
  await expect(row(page, 'Old forum')).toHaveCount(1);
  await expect(page.getByTestId('item-count')).toHaveText('1 item in the trash (kept 30 days)');
});

test('restoring from the trash brings the item back into its folder', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await createFolder(page, 'Personal', 'Hobbies');
  await openPlace(page, 'Personal', 'Hobbies');
  await createItem(page, 'Website login', { Title: 'Chess club', Username: 'ada' });
  await deleteItem(page);
  await openScope(page, 'Trash');
  await row(page, 'Chess club').click();
  await shownItem(page).getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText('Item restored from the trash');
  await expect(row(page, 'Chess club')).toHaveCount(0);
  await openPlace(page, 'Personal', 'Hobbies');
  await row(page, 'Chess club').click();
  await expect(page.getByTestId('item-place')).toHaveText('Personal / Hobbies');
  await expect(shownItem(page).getByRole('button', { name: 'Edit', exact: true })).toBeVisible();
});

test('"Delete for good" removes the item from the trash, also after a reload', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await createItem(page, 'Website login', { Title: 'Doomed', Username: 'ada' });
  await createItem(page, 'Website login', { Title: 'Also trashed', Username: 'ada' });
  await deleteItem(page);
  await openScope(page, 'All items');
  await row(page, 'Doomed').click();
  await deleteItem(page);
  await openScope(page, 'Trash');
  await expect(rows(page)).toHaveCount(2);
  await row(page, 'Doomed').click();
  let asked = '';
  page.once('dialog', (d) => {
    asked = d.message();
    void d.accept();
  });
  await shownItem(page).getByRole('button', { name: 'Delete for good' }).click();
  await expect(page.getByTestId('notice')).toContainText('Item deleted for good');
  expect(asked).toContain('cannot be undone');
  await expect(row(page, 'Doomed')).toHaveCount(0);
  await expect(rows(page)).toHaveCount(1);
  await expect(page.getByTestId('sync-state')).toContainText('All changes saved');

  await page.reload();
  await unlock(page);
  await openScope(page, 'Trash');
  await expect(row(page, 'Also trashed')).toHaveCount(1);
  await expect(row(page, 'Doomed')).toHaveCount(0);
  await openScope(page, 'All items');
  await expect(rows(page)).toHaveCount(0);
});

test('deleting a folder sends its items, also in subfolders, to the trash and removes the subfolders', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await createFolder(page, 'Personal', 'Projects');
  await createFolder(page, 'Personal', 'Archive', 'Projects');
  await openPlace(page, 'Personal', 'Projects');
  await createItem(page, 'Website login', { Title: 'Tracker', Username: 'ada' });
  await openPlace(page, 'Personal', 'Projects / Archive');
  await createItem(page, 'Website login', { Title: 'Old wiki', Username: 'ada' });
  await openPlace(page, 'Personal');
  await createItem(page, 'Website login', { Title: 'Outside', Username: 'ada' });

  await openPlace(page, 'Personal', 'Projects');
  await profileGroup(page, 'Personal').getByRole('button', { name: 'Delete folder' }).click();
  await expect(page.getByTestId('notice')).toContainText('Folder deleted; its items are in the trash');
  const tree = profileGroup(page, 'Personal').getByRole('tree');
  await expect(tree.getByRole('treeitem')).toHaveCount(0);

  await openScope(page, 'All items');
  await expect(rows(page)).toHaveCount(1);
  await expect(row(page, 'Outside')).toHaveCount(1);
  await openScope(page, 'Trash');
  await expect(rows(page)).toHaveCount(2);
  await expect(row(page, 'Tracker')).toHaveCount(1);
  await expect(row(page, 'Old wiki')).toHaveCount(1);

  // Still so after a reload: the folders are gone, the items wait in the trash.
  await page.reload();
  await unlock(page);
  await openScope(page, 'Trash');
  await expect(rows(page)).toHaveCount(2);
  await expect(nav(page).getByRole('treeitem')).toHaveCount(0);
});
