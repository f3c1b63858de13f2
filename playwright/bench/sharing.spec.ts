// Shared folders at scale, in real browsers: sharing a folder of 1,000 items until the
// recipient's open browser lists them, re-keying it after the recipient is removed (every item
// sealed again with a new key), and a recipient's first sync of a 10,000-item share beside the
// owner's own first sync of the same items. Prints numbers; asserts nothing about time.
import { expect, test, type Page } from '@playwright/test';
import { signInNewBrowser, signUp, uniqueEmail } from '../tests/support/account';
import { syncState } from '../tests/support/sync';
import { nav, notice, openPlace, profileGroup } from '../tests/support/vault';
import { sharedFolderCsv } from './data';

const SHARED = Number(process.env.SHARE_ITEMS ?? 1_000);
const BIG = Number(process.env.BIG_SHARE_ITEMS ?? 10_000);
const RUNS = Number(process.env.SHARE_RUNS ?? 2);

async function importInto(page: Page, items: number): Promise<void> {
  await page.getByRole('link', { name: 'Import' }).click();
  const csv = sharedFolderCsv(items);
  await page.getByLabel('CSV file').setInputFiles({ name: 'vault.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('import-done')).toContainText(`Imported ${items} items and sent`, { timeout: 240_000 });
  await page.getByRole('link', { name: 'Vault' }).first().click();
}

/** Shares the folder "Servers" with `email` (edit); resolves when this browser has made it. */
async function shareServers(page: Page, email: string): Promise<void> {
  await openPlace(page, 'Personal', 'Servers');
  const group = profileGroup(page, 'Personal');
  await group.getByRole('button', { name: 'Share folder' }).click();
  const dialog = group.getByRole('dialog', { name: 'Share folder' });
  await dialog.getByLabel('Share with (addresses)').fill(email);
  await dialog.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(notice(page)).toContainText(`Shared with ${email}`, { timeout: 240_000 });
}

async function allSaved(page: Page): Promise<void> {
  await expect(syncState(page)).toContainText('All changes saved', { timeout: 300_000 });
}

function count(page: Page) {
  return page.getByTestId('item-count');
}

test(`share a folder of ${SHARED} items, then remove its recipient`, async ({ browser }) => {
  const [aliceEmail, bobEmail] = [uniqueEmail(), uniqueEmail()];
  const bob = await (await browser.newContext()).newPage();
  await signUp(bob, bobEmail);
  const alice = await (await browser.newContext()).newPage();
  await signUp(alice, aliceEmail);
  await importInto(alice, SHARED);

  const start = Date.now();
  await shareServers(alice, bobEmail);
  const made = Date.now();
  await allSaved(alice);
  const sent = Date.now();
  await expect(count(bob)).toHaveText(`${SHARED} items`, { timeout: 240_000 });
  const arrived = Date.now();
  console.log(
    `share ${SHARED} items: made and moved in the owner's browser ${made - start} ms, on the server ${sent - start} ms, listed in the recipient's open browser ${arrived - start} ms`,
  );

  await nav(alice).getByRole('group', { name: 'Shared folders' }).getByRole('button', { name: 'Servers', exact: true }).first().click();
  const panel = alice.getByRole('region', { name: 'Shared folder' });
  await panel.getByText('Who has access').click();
  alice.once('dialog', (d) => d.accept());
  const removing = Date.now();
  await panel.getByRole('row').filter({ hasText: bobEmail }).getByRole('button', { name: 'Remove' }).click();
  await expect(count(bob)).toHaveText('0 items', { timeout: 240_000 });
  const gone = Date.now();
  await expect(panel).not.toContainText('the key will be replaced', { timeout: 240_000 });
  await allSaved(alice);
  const rekeyed = Date.now();
  console.log(
    `remove the recipient: gone from their open browser ${gone - removing} ms; share re-keyed and ${SHARED} items sealed again and sent ${rekeyed - removing} ms`,
  );
});

test(`a recipient's first sync of a ${BIG}-item share, beside the owner's first sync`, async ({ browser }) => {
  test.setTimeout(900_000);
  const [aliceEmail, bobEmail] = [uniqueEmail(), uniqueEmail()];
  const bob = await (await browser.newContext()).newPage();
  await signUp(bob, bobEmail);
  const alice = await (await browser.newContext()).newPage();
  await signUp(alice, aliceEmail);
  await importInto(alice, BIG);
  await shareServers(alice, bobEmail);
  await allSaved(alice);
  await expect(count(bob)).toHaveText(`${BIG} items`, { timeout: 300_000 });
  await alice.context().close();
  await bob.context().close();

  const times: Record<string, number[]> = { recipient: [], owner: [] };
  for (let run = 0; run < RUNS; run += 1) {
    // Alternating, so a drift of the machine's speed touches both alike.
    for (const [who, email] of [['recipient', bobEmail], ['owner', aliceEmail]] as const) {
      const fresh = await browser.newContext();
      const page = await fresh.newPage();
      await signInNewBrowser(page, email);
      await expect(count(page)).toHaveText(`${BIG} items`, { timeout: 300_000 });
      const total = await page.evaluate(() => performance.getEntriesByName('strongroom:sync', 'measure')[0]?.duration ?? NaN);
      times[who].push(total);
      console.log(`run ${run + 1}, ${who}: first sync ${total.toFixed(0)} ms`);
      await fresh.close();
    }
  }
  for (const [who, list] of Object.entries(times)) {
    const sorted = [...list].sort((a, b) => a - b);
    console.log(`${who}: first sync of ${BIG} shared items, median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms (n=${sorted.length})`);
  }
});
