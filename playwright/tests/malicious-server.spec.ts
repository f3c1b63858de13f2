// A server that lies: the browser checks what it can of the server's answers, refuses what a
// key holder could not have made, keeps every version, and tells the person in plain words.
// The lies are made by rewriting the real server's replies on their way to the page.
import { expect, test } from '@playwright/test';
import { signUp, uniqueEmail } from './support/account';
import { dot, expectAllSaved } from './support/sync';
import { createItem, editItem, fieldValue, openItem, search } from './support/vault';

type Record = { id: string; kind: string; container_id: string; revision: number };

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
