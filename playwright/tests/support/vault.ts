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

/** The shown value of a field in the item view, or in a past version (secrets revealed first). */
export async function fieldValue(scope: Page | Locator, label: string): Promise<string> {
  const field = scope.getByTestId(`field-${label}`);
  let text = '';
  // Right after a save the pane may be drawn once more with the stored copy, hiding a value
  // revealed a moment before: reveal again until the value shows.
  await expect(async () => {
    const reveal = field.getByRole('button', { name: 'Reveal' });
    if (await reveal.count()) await reveal.click();
    text = (await field.locator('.value').innerText()).trim();
    expect(text).not.toBe('••••••••••');
  }).toPass({ timeout: 10_000 });
  return text;
}

/** The item pane's article (the shown item). */
export function shownItem(page: Page): Locator {
  return page.getByRole('article');
}

/** The vault's status message (what was done, or what went wrong). */
export function notice(page: Page): Locator {
  return page.getByTestId('notice');
}

/** Edits the shown item: changes `fields` and saves. */
export async function editItem(page: Page, fields: Fields): Promise<void> {
  await shownItem(page).getByRole('button', { name: 'Edit', exact: true }).click();
  await expect(page.getByRole('form')).toBeVisible();
  await fillForm(page, fields);
  await saveItem(page);
}

/** Opens the shown item's history and returns its versions, newest first. */
export async function historyVersions(page: Page): Promise<Locator> {
  const toggle = shownItem(page).getByRole('button', { name: /^(History|Hide history)$/ });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  const list = shownItem(page).getByRole('list', { name: 'History' });
  await expect(list).toBeVisible();
  return list.getByRole('listitem');
}

/** Selects "All items" or "Trash" in the navigation. */
export async function openScope(page: Page, name: 'All items' | 'Favourites' | 'Trash'): Promise<void> {
  await nav(page).getByRole('button', { name, exact: true }).click();
  await expect(nav(page).getByRole('button', { name, exact: true })).toHaveAttribute('aria-current', 'true');
}

/** The list's rows whose title is exactly `title`. */
export function row(page: Page, title: string): Locator {
  return rows(page).filter({ has: page.locator('.item-title').getByText(title, { exact: true }) });
}

/** Moves the shown item to the trash. */
export async function deleteItem(page: Page): Promise<void> {
  const title = await shownItem(page).getByRole('heading', { level: 2 }).innerText();
  await shownItem(page).getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(notice(page)).toContainText('Item moved to the trash');
  await expect(page.getByRole('heading', { level: 2, name: title })).toBeHidden();
}

/** Moves the shown item with the "Move to…" dialog (`target`: "Business" or "Personal / A / B"). */
export async function moveItem(page: Page, target: string): Promise<void> {
  await shownItem(page).getByRole('button', { name: 'Move to…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Move to' });
  await dialog.getByRole('combobox', { name: 'Move to' }).selectOption({ label: target });
  await dialog.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('item-place')).toHaveText(target);
}

/** A folder's row in the navigation (what is dragged, and where things are dropped). */
export function folderRow(page: Page, profile: Profile, folderPath: string): Locator {
  return profileGroup(page, profile).getByRole('treeitem', { name: folderPath, exact: true }).locator('.nav-row');
}
