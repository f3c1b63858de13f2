// An item's fields: the live authenticator code, custom fields, copy buttons and clearing the
// clipboard, the generator, and what the form refuses (a bad authenticator key, an item too large).
import { expect, test, type Page } from '@playwright/test';
import { signUp, uniqueEmail, unlock } from './support/account';
import { totp } from './support/totp';
import {
  createItem,
  fieldValue,
  notice,
  openItem,
  rows,
  saveItem,
  startItem,
} from './support/vault';

const KEY = 'JBSWY3DPEHPK3PXP';

function clipboardText(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

test('a login with an authenticator key shows the current code', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await createItem(page, 'Website login', { Title: 'Git host', Username: 'ada', 'Authenticator key (TOTP)': KEY });
  const code = page.getByTestId('totp-code');
  await expect(code).toHaveText(/^\d{6}$/);
  // The step may turn between reading the page and computing here.
  const shown = await code.innerText();
  expect([totp(KEY, -1), totp(KEY), totp(KEY, 1)]).toContain(shown);
  // The key itself stays hidden until revealed.
  await expect(page.getByTestId('field-Authenticator key (TOTP)').locator('.value')).not.toContainText(KEY);
});

test('custom fields of each type are saved and shown, the hidden one masked until revealed', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await startItem(page, 'Website login');
  const form = page.getByRole('form');
  await form.getByLabel('Title', { exact: true }).fill('Library');
  for (let i = 0; i < 3; i += 1) await form.getByRole('button', { name: 'Add custom field' }).click();
  await form.getByLabel('Custom field 1 name').fill('Card number');
  await form.getByLabel('Custom field 1 value').fill('L-1234');
  await form.getByLabel('Custom field 2 name').fill('Locker code');
  await form.getByLabel('Custom field 2 type').selectOption({ label: 'Hidden' });
  await form.getByLabel('Custom field 2 value').fill('4711');
  await form.getByLabel('Custom field 3 name').fill('Premium');
  await form.getByLabel('Custom field 3 type').selectOption({ label: 'Yes/no' });
  await form.getByLabel('Custom field 3 value').check();
  await saveItem(page);

  await page.reload();
  await unlock(page);
  await openItem(page, 'Library');
  expect(await fieldValue(page, 'Card number')).toBe('L-1234');
  expect(await fieldValue(page, 'Premium')).toBe('Yes');
  const hidden = page.getByTestId('field-Locker code');
  await expect(hidden.locator('.value')).toHaveText('••••••••••');
  await hidden.getByRole('button', { name: 'Reveal' }).click();
  await expect(hidden.locator('.value')).toHaveText('4711');
  await hidden.getByRole('button', { name: 'Hide' }).click();
  await expect(hidden.locator('.value')).toHaveText('••••••••••');
});

test('copy buttons fill the clipboard, and a copied secret is cleared after the chosen delay', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await page.clock.install();
  await signUp(page, uniqueEmail());
  await page.getByRole('link', { name: 'Account settings' }).click();
  const delay = page.getByLabel('Clear copied secrets from the clipboard after');
  await expect(delay).toHaveValue('30');
  await delay.selectOption({ label: '10 seconds' });
  await page.getByRole('link', { name: 'Vault', exact: true }).click();
  await createItem(page, 'Website login', { Title: 'Webmail', Username: 'ada.l', Password: 'mail-secret-9' });

  await page.getByRole('button', { name: 'Copy Username' }).click();
  await expect(notice(page)).toHaveText('Username copied.');
  expect(await clipboardText(page)).toBe('ada.l');

  await page.getByRole('button', { name: 'Copy Password' }).click();
  await expect(notice(page)).toHaveText('Password copied. The clipboard is cleared in 10 seconds.');
  expect(await clipboardText(page)).toBe('mail-secret-9');
  await page.clock.fastForward('00:05');
  expect(await clipboardText(page)).toBe('mail-secret-9');
  await page.clock.fastForward('00:06');
  await expect.poll(() => clipboardText(page)).toBe('');

  // The choice is kept by this browser.
  await page.reload();
  await unlock(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Vault', exact: true })).toBeAttached();
  await page.getByRole('link', { name: 'Account settings' }).click();
  await expect(page.getByLabel('Clear copied secrets from the clipboard after')).toHaveValue('10');
});

test('the generator fills the password: 20 characters, or words joined by "-"', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await startItem(page, 'Website login');
  const form = page.getByRole('form');
  await form.getByLabel('Title', { exact: true }).fill('Generated');
  // The field, not the generator's "Password" choice (which comes after it).
  const password = form.getByLabel('Password', { exact: true }).first();
  await expect(password).toHaveValue('');
  await form.getByRole('button', { name: 'Generate', exact: true }).click();
  // Generated and revealed at once.
  await expect(password).not.toHaveClass(/masked/);
  await expect(password).toHaveValue(/^\S{20}$/);
  const generator = form.getByRole('group', { name: 'Generator' });
  await generator.getByRole('radio', { name: 'Passphrase' }).check();
  await expect(password).toHaveValue(/^[a-zA-Z]{6}[2-9]?(-[a-zA-Z]{6}[2-9]?){4}$/);
  const chosen = await password.inputValue();
  await saveItem(page);
  expect(await fieldValue(page, 'Password')).toBe(chosen);
});

test('an invalid authenticator key is refused and nothing is saved', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await startItem(page, 'Website login');
  const form = page.getByRole('form');
  await form.getByLabel('Title', { exact: true }).fill('Broken 2FA');
  await form.getByLabel('Authenticator key (TOTP)', { exact: true }).fill('not a key!');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('alert')).toHaveText(/This authenticator key is not valid/);
  await expect(form).toBeVisible();
  await form.getByRole('button', { name: 'Cancel' }).click();
  await expect(form).toBeHidden();
  await expect(rows(page)).toHaveCount(0);
  await page.reload();
  await unlock(page);
  await expect(page.getByText('No items here yet.')).toBeVisible();
  await expect(rows(page)).toHaveCount(0);
});

test('an item too large is refused with a message, and the vault still works', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await startItem(page, 'Secure note');
  const form = page.getByRole('form');
  await form.getByLabel('Title', { exact: true }).fill('Huge note');
  await form.getByLabel('Notes', { exact: true }).fill('x'.repeat(130_000));
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('alert')).toContainText('too large');
  await expect(rows(page)).toHaveCount(0);

  await form.getByLabel('Notes', { exact: true }).fill('a shorter note');
  await saveItem(page);
  await expect(page.getByRole('heading', { level: 2, name: 'Huge note' })).toBeVisible();
  await expect(page.getByTestId('sync-state')).toContainText('All changes saved');
  await page.reload();
  await unlock(page);
  await openItem(page, 'Huge note');
  await expect(page.locator('.notes')).toHaveText('a shorter note');
});
