// Search: by title, address, username, tag and folder path, over both profiles; and the keyboard
// path: type anywhere, choose with the arrows, open with Enter, copy the password with Ctrl+C.
import { expect, test, type Page } from '@playwright/test';
import { signUp, uniqueEmail } from './support/account';
import { createFolder, createItem, openPlace, openScope, row, rows, search } from './support/vault';

/** Two logins in Personal (one in a folder) and two in Business. */
async function vaultWithItems(page: Page): Promise<void> {
  await signUp(page, uniqueEmail());
  await createFolder(page, 'Personal', 'Finance');
  await openPlace(page, 'Personal', 'Finance');
  await createItem(page, 'Website login', {
    Title: 'Savings bank',
    'Websites (one per line)': 'https://mybank.example',
    Username: 'alice.saver',
    Password: 'bank-secret-1',
    'Tags (comma-separated)': 'money',
  });
  await openPlace(page, 'Personal');
  await createItem(page, 'Website login', { Title: 'Chess club', Username: 'knight', Password: 'chess-secret-2' });
  await openPlace(page, 'Business');
  await createItem(page, 'Website login', {
    Title: 'Customer records',
    'Websites (one per line)': 'https://crm.acme.example',
    Username: 'bob.sales',
    Password: 'crm-secret-3',
    'Tags (comma-separated)': 'sales, daily',
  });
  await createItem(page, 'Website login', { Title: 'Payroll', Username: 'hr', Password: 'payroll-secret-4' });
}

/** The titles of the rows the list shows. */
async function expectTitles(page: Page, titles: string[]): Promise<void> {
  await expect(rows(page).locator('.item-title')).toHaveText(titles);
}

test('search finds items by title, address, username, tag and folder path', async ({ page }) => {
  await vaultWithItems(page);
  await openScope(page, 'All items');
  await expect(rows(page)).toHaveCount(4);
  await search(page, 'chess');
  await expectTitles(page, ['Chess club']);
  await search(page, 'crm.acme');
  await expectTitles(page, ['Customer records']);
  await search(page, 'alice.saver');
  await expectTitles(page, ['Savings bank']);
  await search(page, 'daily');
  await expectTitles(page, ['Customer records']);
  await search(page, 'finance');
  await expectTitles(page, ['Savings bank']);
  await search(page, '');
  await expect(rows(page)).toHaveCount(4);
});

test('under All items a search covers both profiles; with a profile selected, that profile', async ({ page }) => {
  await vaultWithItems(page);
  const box = page.getByRole('searchbox', { name: 'Search' });
  await openScope(page, 'All items');
  await expect(box).toHaveAttribute('placeholder', 'Search both profiles (type anywhere)');
  await search(page, 'example');
  await expectTitles(page, ['Customer records', 'Savings bank']);
  await expect(row(page, 'Customer records').locator('.item-meta')).toHaveText('Website login · Business');
  await expect(row(page, 'Savings bank').locator('.item-meta')).toHaveText('Website login · Personal / Finance');

  // The search box says where it looks.
  await openPlace(page, 'Business');
  await expect(box).toHaveAttribute('placeholder', 'Search Business (type anywhere)');
  await expectTitles(page, ['Customer records']);
  await openPlace(page, 'Personal', 'Finance');
  await expect(box).toHaveAttribute('placeholder', 'Search Personal / Finance (type anywhere)');
  await expectTitles(page, ['Savings bank']);
});

test('a search that matches nothing says so', async ({ page }) => {
  await vaultWithItems(page);
  await openScope(page, 'All items');
  await search(page, 'no-such-thing');
  await expect(rows(page)).toHaveCount(0);
  await expect(page.getByText('Nothing matches this search.')).toBeVisible();
  await expect(page.getByTestId('item-count')).toHaveText('0 items');
});

test('keyboard: type anywhere to search, arrows choose, Enter opens, Ctrl+C copies the password', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await vaultWithItems(page);
  await openScope(page, 'All items');
  // Focus on the page itself, not a field.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.type('ex');
  const box = page.getByRole('searchbox', { name: 'Search' });
  await expect(box).toBeFocused();
  await expect(box).toHaveValue('ex');
  // The two addresses end in ".example".
  await expectTitles(page, ['Customer records', 'Savings bank']);
  await expect(rows(page).and(page.locator('[aria-selected="true"]'))).toHaveCount(0);

  await page.keyboard.press('ArrowDown');
  await expect(row(page, 'Customer records')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(row(page, 'Savings bank')).toHaveAttribute('aria-selected', 'true');
  await expect(row(page, 'Customer records')).toHaveAttribute('aria-selected', 'false');
  await page.keyboard.press('ArrowUp');
  await expect(row(page, 'Customer records')).toHaveAttribute('aria-selected', 'true');
  await expect(row(page, 'Savings bank')).toHaveAttribute('aria-selected', 'false');

  await page.keyboard.press('Enter');
  const heading = page.getByRole('heading', { level: 2, name: 'Customer records' });
  await expect(heading).toBeVisible();
  await expect(heading).toBeFocused();

  await page.evaluate(() => navigator.clipboard.writeText('before'));
  await page.keyboard.press('Control+c');
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('crm-secret-3');
  await expect(page.getByTestId('notice')).toContainText('Password copied');
});
