// A server that lies: the browser checks what it can of the server's answers, refuses what a
// key holder could not have made, keeps every version, and tells the person in plain words.
// The lies are made by rewriting the real server's replies on their way to the page.
import { expect, test, type Page } from '@playwright/test';
import { PASSWORD, signInNewBrowser, signUp, uniqueEmail } from './support/account';
import { defaultMailDir } from './support/mail';
import { dot, expectAllSaved, useJsonVaultWire, useJsonVaultWireIn } from './support/sync';
import { createItem, editItem, fieldValue, openItem, row, search } from './support/vault';

type Record = {
  id: string;
  kind: string;
  container_id: string;
  revision: number;
  version?: number;
  key?: string;
  data?: string;
  mark?: string;
};
type Head = { container_id: string; revision: number };

/// A full pull of the account's vault as the server stores it now.
async function pullAll(page: Page): Promise<{ records: Record[]; checkpoints: unknown[] }> {
  return page.evaluate(async () => {
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
    return (await fetch('/api/vault/pull', init)).json();
  });
}

/// Every record of the account as the server stores it now.
async function serverRecords(page: Page): Promise<Record[]> {
  return (await pullAll(page)).records;
}

/// The item titled as asked, as stored now (items are told apart by their order of creation).
async function itemRecords(page: Page): Promise<Record[]> {
  const records = await serverRecords(page);
  return records.filter((r) => r.kind === 'item' && r.data).sort((a, b) => a.id.localeCompare(b.id));
}

/// The next pull answers with `forged` added, at its container's newest revision (so the
/// browser's place in the container does not move).
async function forgeNextPull(page: Page, forged: Record): Promise<void> {
  await useJsonVaultWire(page);
  let done = false;
  await page.route('**/api/vault/pull', async (route) => {
    if (done) return route.continue();
    done = true;
    const response = await route.fetch();
    const body = await response.json();
    const head = (body.heads as Head[]).find((h) => h.container_id === forged.container_id);
    body.records.push({ ...forged, revision: head?.revision ?? forged.revision });
    return route.fulfill({ response, json: body });
  });
}

/// Signs up, saves Alpha (then a second password for it) and Beta; returns the server's record
/// of Alpha after its first save, and after its second.
async function alphaSavedTwice(page: Page): Promise<{ first: Record; second: Record }> {
  await signUp(page, uniqueEmail());
  await createItem(page, 'Website login', { Title: 'Alpha', Username: 'ada', Password: 'alpha-1' });
  await expectAllSaved(page);
  const [first] = await itemRecords(page);
  await createItem(page, 'Website login', { Title: 'Beta', Username: 'bob', Password: 'beta-1' });
  await openItem(page, 'Alpha');
  await editItem(page, { Password: 'alpha-2' });
  await expectAllSaved(page);
  const second = (await itemRecords(page)).find((r) => r.id === first.id)!;
  expect(second.version).toBeGreaterThan(first.version ?? 0);
  return { first, second };
}

/// The lie is refused and named; Alpha still holds its newest password, and, once the honest
/// server has it again, everything is saved.
async function expectRefused(page: Page, what: string): Promise<void> {
  await page.getByRole('button', { name: 'Sync now' }).click();
  const notice = page.getByTestId('rollback');
  await expect(notice).toContainText(`“Alpha”: ${what}`);
  await search(page, '');
  await openItem(page, 'Alpha');
  expect(await fieldValue(page, 'Password')).toBe('alpha-2');
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expectAllSaved(page);
  const alpha = (await serverRecords(page)).filter((r) => r.kind === 'item' && r.data);
  expect(alpha).toHaveLength(2);
}

test('an older copy served again under a newer revision is refused', async ({ page }) => {
  const { first } = await alphaSavedTwice(page);
  await forgeNextPull(page, first);
  await expectRefused(page, 'the server sent an older copy than this browser already had');
});

test('an older copy labelled as the newer version does not open and is refused', async ({ page }) => {
  const { first, second } = await alphaSavedTwice(page);
  await forgeNextPull(page, { ...first, version: second.version });
  await expectRefused(page, 'the server sent a copy that does not open');
});

test('a deletion no key holder made is refused, and the item stays', async ({ page }) => {
  const { second } = await alphaSavedTwice(page);
  const { key: _key, data: _data, ...rest } = second;
  await forgeNextPull(page, { ...rest, version: (second.version ?? 0) + 1 });
  await expectRefused(page, 'the server said it was deleted, but the deletion was not made by anyone holding its key');
});

test('a conflict answered with another record is not used, and the person is told', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await createItem(page, 'Website login', { Title: 'Alpha', Username: 'ada', Password: 'alpha-1' });
  await createItem(page, 'Website login', { Title: 'Beta', Username: 'bob', Password: 'beta-1' });
  await expectAllSaved(page);
  // Beta as the server stores it.
  const records = await page.evaluate(async () => {
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
    return (await (await fetch('/api/vault/pull', init)).json()).records;
  });
  const items = (records as Record[]).filter((r) => r.kind === 'item').sort((a, b) => a.revision - b.revision);
  const beta = items[items.length - 1];
  expect(items).toHaveLength(2);

  // The next push of Alpha is answered as a conflict whose "current" record is Beta.
  await useJsonVaultWire(page);
  let lied = false;
  await page.route('**/api/vault/push', async (route) => {
    if (lied) return route.continue();
    lied = true;
    const changes = (route.request().postDataJSON() as { changes: { id: string; kind: string }[] }).changes;
    const conflicts = changes.filter((c) => c.kind === 'item').map((c) => ({ id: c.id, current: beta }));
    return route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ accepted: [], conflicts, refused: [] }),
    });
  });
  await openItem(page, 'Alpha');
  await editItem(page, { Password: 'alpha-2' });
  const notice = page.getByTestId('rollback');
  await expect(notice).toContainText('“Alpha”: the server answered your change with another record');
  await expect(notice).toContainText('your version is kept here and will be sent again');
  expect(await fieldValue(page, 'Password')).toBe('alpha-2');
  await openItem(page, 'Beta');
  expect(await fieldValue(page, 'Password')).toBe('beta-1');

  // The next sync goes to the honest server: Alpha's change is stored.
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expectAllSaved(page);
  await search(page, '');
  await expect(dot(page, 'Alpha')).toHaveClass(/green/);
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toHaveCount(0);
});

test('a record the server hides from a new browser is found by the checkpoint another browser left', async ({
  page,
  browser,
}) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await createItem(page, 'Website login', { Title: 'Alpha', Username: 'ada', Password: 'alpha-1' });
  await createItem(page, 'Website login', { Title: 'Beta', Username: 'bob', Password: 'beta-1' });
  await expectAllSaved(page);
  const [alpha] = await itemRecords(page);
  // The first browser leaves a checkpoint of what it holds after its sync.
  await expect.poll(async () => (await pullAll(page)).checkpoints.length).toBeGreaterThan(0);

  // A new browser of the account, whose every pull leaves Alpha out.
  const context = await browser.newContext();
  await useJsonVaultWireIn(context);
  await context.route('**/api/vault/pull', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.records = (body.records as Record[]).filter((r) => r.id !== alpha.id);
    return route.fulfill({ response, json: body });
  });
  const second = await context.newPage();
  await signInNewBrowser(second, email, PASSWORD, defaultMailDir());
  const notice = second.getByTestId('rollback');
  await expect(notice).toContainText(
    "profile: the server's copy does not match what one of your browsers recorded of it",
  );
  await expect(row(second, 'Beta')).toBeVisible();
  await expect(row(second, 'Alpha')).toHaveCount(0);
  await context.close();
});
