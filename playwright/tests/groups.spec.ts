// Journey 5 with a group: a company Admin makes the group "Ops"; a user shares a folder of
// server passwords with it; its members see it under Shared folders with the share's name; a
// member edits an item offline and it reaches the other when back online; the Admin takes a
// member out of the group: their browser loses the share, the server refuses them the share,
// and the share key rotates (the group gets a new key, the owner's browser re-keys the share):
// the member's browser as it was before, served the share's new records, opens none of them.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { uniqueEmail, unlock } from './support/account';
import { dumpBrowserState, restoreBrowserState } from './support/browser-state';
import { joinWithNewAccount, ownCompany } from './support/orgs';
import { expectAllSaved, useJsonVaultWireIn } from './support/sync';
import { createFolder, createItem, editItem, fieldValue, nav, notice, openItem, openPlace, profileGroup } from './support/vault';

function sharedFolders(page: Page) {
  return nav(page).getByRole('group', { name: 'Shared folders' });
}

/** The admin's own company "Acme Ltd", with `emails` invited and joined. */
async function acme(browser: Browser, emails: string[]): Promise<{ admin: Page; people: Page[] }> {
  const admin = await ownCompany(browser, emails);
  const people = [];
  for (const email of emails) people.push(await joinWithNewAccount(browser, email));
  return { admin, people };
}

/** What the server says of a share, as `page`'s account asks (status and body). */
async function shareAsSeenBy(page: Page, id: string): Promise<{ status: number; body: any }> {
  return page.evaluate(async (id) => {
    const reply = await fetch(`/api/shares/${id}`);
    return { status: reply.status, body: reply.ok ? await reply.json() : null };
  }, id);
}

test('a folder shared with a group reaches its members and leaves with a member taken out', async ({ browser }) => {
  test.setTimeout(300_000);
  const [m1Email, m2Email, ownerEmail] = [uniqueEmail(), uniqueEmail(), uniqueEmail()];
  const { admin, people } = await acme(browser, [m1Email, m2Email, ownerEmail]);
  const [m1, m2, owner] = people;

  // The Admin makes "Ops" with both members (the Admin manages it without being a member).
  await admin.getByRole('link', { name: 'Groups' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'directory key' })).toHaveCount(0, { timeout: 30_000 });
  const make = admin.getByRole('form', { name: 'New group' });
  await make.getByLabel('New group').fill('Ops');
  await make.getByLabel('People (addresses)').fill(`${m1Email}, ${m2Email}`);
  await make.getByRole('button', { name: 'Make group' }).click();
  const ops = admin.getByTestId('group').filter({ hasText: 'Ops' });
  await expect(ops.getByTestId('group-person')).toHaveCount(3);
  await expect(ops.getByText('Has the key')).toHaveCount(3);

  // The owner shares "Servers" with Ops, to edit.
  await createFolder(owner, 'Personal', 'Servers');
  await openPlace(owner, 'Personal', 'Servers');
  await createItem(owner, 'Website login', { Title: 'web01', Username: 'root', Password: 'pw-1' });
  await createItem(owner, 'Website login', { Title: 'web02', Username: 'root', Password: 'pw-2' });
  const group = profileGroup(owner, 'Personal');
  await group.getByRole('button', { name: 'Share folder' }).click();
  const dialog = group.getByRole('dialog', { name: 'Share folder' });
  await dialog.getByLabel('Shared folder name').fill('Client servers');
  await expect(dialog.getByLabel('And a group').getByRole('option', { name: 'Ops (3 people)' })).toHaveCount(1, { timeout: 30_000 });
  await dialog.getByLabel('And a group').selectOption({ label: 'Ops (3 people)' });
  await dialog.getByLabel('They can').selectOption('edit');
  await dialog.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(notice(owner)).toContainText('Shared with Ops');
  await expectAllSaved(owner);
  const shares = await owner.evaluate(async () => (await (await fetch('/api/shares')).json()) as { id: string }[]);
  const shareId = shares[0].id;

  // Both members see it under Shared folders, with its name.
  for (const member of [m1, m2]) {
    const shared = sharedFolders(member).getByRole('group', { name: 'Client servers' });
    await expect(shared).toBeVisible({ timeout: 30_000 });
  }

  // M1 edits offline; back online, it reaches M2.
  await sharedFolders(m1).getByRole('button', { name: 'Client servers', exact: true }).click();
  await openItem(m1, 'web01');
  await m1.context().setOffline(true);
  await editItem(m1, { Password: 'changed-offline' });
  await m1.context().setOffline(false);
  await expectAllSaved(m1);
  await sharedFolders(m2).getByRole('button', { name: 'Client servers', exact: true }).click();
  await openItem(m2, 'web01');
  await expect.poll(() => fieldValue(m2, 'Password'), { timeout: 30_000 }).toBe('changed-offline');

  // What M2's browser holds now, and what the server serves M2 of the share: a server that
  // kept serving them after the removal could hand them only these (below).
  const kept = await dumpBrowserState(m2);
  const servedToM2 = await m2.evaluate(async () => (await fetch('/api/shares')).json());

  // The Admin takes M2 out of Ops.
  const m2Row = ops.getByTestId('group-person').filter({ hasText: m2Email });
  await m2Row.getByRole('button', { name: 'Remove' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'was taken out' })).toBeVisible({ timeout: 30_000 });
  await expect(ops.getByTestId('group-person')).toHaveCount(2);

  // M2's browser loses the share; the server refuses M2 the share.
  await expect(sharedFolders(m2)).toBeHidden({ timeout: 30_000 });
  expect((await shareAsSeenBy(m2, shareId)).status).toBe(404);

  // The group got a new key, and the owner's browser re-keyed the share: generation 2, no
  // re-key waiting; M1 still opens its items.
  await expect
    .poll(async () => {
      const seen = await shareAsSeenBy(owner, shareId);
      return seen.body ? `${seen.body.generation}:${seen.body.rekey_pending}` : String(seen.status);
    }, { timeout: 60_000 })
    .toBe('2:false');
  await openItem(m1, 'web02');
  await expect.poll(() => fieldValue(m1, 'Password'), { timeout: 30_000 }).toBe('pw-2');
  await openItem(m1, 'web01');
  expect(await fieldValue(m1, 'Password')).toBe('changed-offline');

  // The share key rotated: M2's browser as it was before the removal, served the share's
  // records as they are now by a server that ignores the removal, opens none of them (it keeps
  // its own copies and says the server's do not open).
  const now = await m1.evaluate(async () => {
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
    return (await fetch('/api/vault/pull', init)).json();
  });
  const inShare = (now.records as { container_id: string }[]).filter((r) => r.container_id === shareId);
  expect(inShare.length).toBeGreaterThanOrEqual(3);
  const context = await browser.newContext();
  const restored = await context.newPage();
  await restoreBrowserState(context, restored, test.info().project.use.baseURL!, kept);
  await useJsonVaultWireIn(context);
  await context.route('**/api/shares', (route) => route.fulfill({ json: servedToM2 }));
  await context.route('**/api/vault/pull', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.access = body.access.filter((a: { container_id: string }) => a.container_id !== shareId);
    body.heads = body.heads
      .filter((h: { container_id: string }) => h.container_id !== shareId)
      .concat(now.heads.filter((h: { container_id: string }) => h.container_id === shareId));
    body.checkpoints = (body.checkpoints ?? []).filter((c: { container_id: string }) => c.container_id !== shareId);
    body.records = body.records.concat(inShare);
    return route.fulfill({ response, json: body });
  });
  await restored.goto('/');
  await unlock(restored);
  await expect(restored.getByTestId('rollback')).toContainText('does not open', { timeout: 30_000 });
  await sharedFolders(restored).getByRole('button', { name: 'Client servers', exact: true }).click();
  await openItem(restored, 'web01');
  expect(await fieldValue(restored, 'Password')).toBe('changed-offline');
});
