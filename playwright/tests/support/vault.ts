// Steps of the vault journeys, by role and label as a person sees them.
import { expect, type Locator, type Page } from '@playwright/test';

export type Profile = 'Personal' | 'Business';

export function nav(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Vault' });
}

export function profileGroup(page: Page, profile: Profile): Locator {
  return nav(page).getByRole('group', { name: profile });
}

/** Selects a profile, or a folder by its full path ("A / B / C"), in the navigation. */
export async function openPlace(page: Page, profile: Profile, folderPath?: string): Promise<void> {
  const group = profileGroup(page, profile);
  if (!folderPath) {
    await group.getByRole('button', { name: profile, exact: true }).click();
    return;
  }
  const name = folderPath.split(' / ').pop()!;
  await group.getByRole('treeitem', { name: folderPath, exact: true }).getByRole('button', { name, exact: true }).click();
}

/** Creates a folder in a profile, inside the folder at `parentPath` when given. */
export async function createFolder(page: Page, profile: Profile, name: string, parentPath?: string): Promise<void> {
  const group = profileGroup(page, profile);
  if (parentPath) {
    await openPlace(page, profile, parentPath);
    await group.getByRole('button', { name: 'New folder inside' }).click();
  } else {
    await group.getByRole('button', { name: `New folder in ${profile}` }).click();
  }
  await group.getByRole('textbox').fill(name);
  await group.getByRole('button', { name: 'Create' }).click();
  const path = parentPath ? `${parentPath} / ${name}` : name;
  await expect(group.getByRole('treeitem', { name: path, exact: true })).toBeVisible();
}

/** The item form's fields, by label; URLs and tags as the form takes them. */
export type Fields = Record<string, string>;

/** Opens the form for a new item of `kind` (the menu's label, e.g. "Website login"). */
export async function startItem(page: Page, kind: string): Promise<void> {
  await page.getByLabel('New item').selectOption({ label: kind });
  await expect(page.getByRole('form')).toBeVisible();
}

/** Fills form fields by their labels: selects choose the option, checkboxes take "yes"/"no". */
export async function fillForm(page: Page, fields: Fields): Promise<void> {
  const form = page.getByRole('form');
  for (const [label, value] of Object.entries(fields)) {
    const field = form.getByLabel(label, { exact: true });
    const tag = await field.evaluate((el) => el.tagName);
    const type = await field.evaluate((el) => (el as HTMLInputElement).type);
    if (tag === 'SELECT') await field.selectOption(value);
    else if (type === 'checkbox') await field.setChecked(value === 'yes');
    else await field.fill(value);
  }
}

export async function saveItem(page: Page): Promise<void> {
  await page.getByRole('form').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('form')).toBeHidden();
}

/** Creates an item of `kind` with `fields` and waits until it is shown. */
export async function createItem(page: Page, kind: string, fields: Fields): Promise<void> {
  await startItem(page, kind);
  await fillForm(page, fields);
  await saveItem(page);
  await expect(page.getByRole('heading', { level: 2, name: fields['Title'] })).toBeVisible();
}

export function rows(page: Page): Locator {
  return page.getByRole('listbox', { name: 'Item list' }).getByRole('option');
}

export async function search(page: Page, text: string): Promise<void> {
  await page.getByRole('searchbox', { name: 'Search' }).fill(text);
}

/** Opens the item with this title from the list (searching for it first). */
export async function openItem(page: Page, title: string): Promise<void> {
  await nav(page).getByRole('button', { name: 'All items' }).click();
  await search(page, title);
  await rows(page).filter({ hasText: title }).first().click();
  await expect(page.getByRole('heading', { level: 2, name: title })).toBeVisible();
}

/** The shown value of a field in the item view (secrets revealed first). */
export async function fieldValue(page: Page, label: string): Promise<string> {
  const field = page.getByTestId(`field-${label}`);
  const reveal = field.getByRole('button', { name: 'Reveal' });
  if (await reveal.count()) await reveal.click();
  return (await field.locator('.value').innerText()).trim();
}
