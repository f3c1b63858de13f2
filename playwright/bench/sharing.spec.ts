// Shared folders at scale, in real browsers: sharing a folder of 1,000 items until the
// recipient's open browser lists them, re-keying it after the recipient is removed (every item
// sealed again with a new key), the same with a group of 50 (three members in open browsers, the
// others pulling it at the API level),
// and a recipient's first sync of a 10,000-item share beside the owner's own first sync of the
// same items. Prints numbers; asserts nothing about time.
import { expect, test, type Page } from '@playwright/test';
import { signInNewBrowser, signUp, uniqueEmail } from '../tests/support/account';
import { joinWithNewAccount } from '../tests/support/orgs';
import { syncState } from '../tests/support/sync';
import { nav, notice, openPlace, profileGroup } from '../tests/support/vault';
import { sharedFolderCsv } from './data';

const SHARED = Number(process.env.SHARE_ITEMS ?? 1_000);
const BIG = Number(process.env.BIG_SHARE_ITEMS ?? 10_000);
const RUNS = Number(process.env.SHARE_RUNS ?? 2);
const GROUP = Number(process.env.GROUP_MEMBERS ?? 50);
const WATCHING = 3;

async function importInto(page: Page, items: number): Promise<void> {
  await page.getByRole('link', { name: 'Import' }).click();
  const csv = sharedFolderCsv(items);
  await page.getByLabel('Into profile').selectOption({ label: 'Personal' });
  await page.getByLabel('CSV file').setInputFiles({ name: 'vault.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('import-done')).toContainText(`Imported ${items} items and sent`, { timeout: 240_000 });
  await page.getByRole('link', { name: 'Vault' }).first().click();
}

/** Shares the folder "Servers" with `email` (edit), or with the group `email` names when
 * `group` is set; resolves when this browser has made it. */
async function shareServers(page: Page, email: string, group?: string): Promise<void> {
  await openPlace(page, 'Personal', 'Servers');
  const place = profileGroup(page, 'Personal');
  await place.getByRole('button', { name: 'Share folder' }).click({ timeout: 60_000 });
  const dialog = place.getByRole('dialog', { name: 'Share folder' });
  if (group) {
    const option = dialog.getByLabel('And a group').getByRole('option', { name: group });
    await expect(option).toHaveCount(1, { timeout: 60_000 });
    await dialog.getByLabel('And a group').selectOption({ label: group });
  } else {
    await dialog.getByLabel('Share with (addresses)').fill(email);
  }
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

/** A group member simulated at the API level: their session, without a browser. */
type Simulated = { email: string; cookie: string };

async function api(baseURL: string, who: Simulated, path: string, body?: unknown): Promise<any> {
  const reply = await fetch(`${baseURL}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { cookie: who.cookie, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!reply.ok) throw new Error(`${path} as ${who.email}: ${reply.status}`);
  return reply.json();
}

/** What a member's browser does on the network until it holds the share: wait until the share
 *  is served with a key for them, then pull until every item of it is here. Returns the ms from
 *  `start` (no decryption: the three open browsers measure that). */
async function pullShare(baseURL: string, who: Simulated, start: number): Promise<number> {
  let share: string | undefined;
  while (!share) {
    const shares = (await api(baseURL, who, '/api/shares')) as { id: string; wrappings: unknown[] }[];
    share = shares.find((s) => s.wrappings.length > 0)?.id;
    if (!share) await new Promise((r) => setTimeout(r, 200));
  }
  const cursors = new Map<string, number>();
  const items = new Set<string>();
  for (;;) {
    const page = (await api(baseURL, who, '/api/vault/pull', {
      access_since: 0,
      cursors: [...cursors].map(([container_id, revision]) => ({ container_id, revision })),
    })) as { records: { id: string; kind: string; container_id: string; revision: number; data?: string }[]; more: boolean };
    for (const r of page.records) {
      cursors.set(r.container_id, Math.max(cursors.get(r.container_id) ?? 0, r.revision));
      if (r.container_id === share && r.kind === 'item' && r.data) items.add(r.id);
    }
    if (items.size >= SHARED) return Date.now() - start;
    if (!page.more) await new Promise((r) => setTimeout(r, 200));
  }
}

test(`share a folder of ${SHARED} items with a group of ${GROUP}, then take a member out`, async ({ browser }) => {
  test.setTimeout(1_800_000);
  // The company: its Admin, the owner, and the group's members, each joined through an
  // invitation in a browser of their own (which publishes their keys); all but three close.
  const admin = await (await browser.newContext()).newPage();
  await signUp(admin, uniqueEmail());
  await admin.getByRole('link', { name: 'Set up an organization' }).click();
  await admin.getByTestId('new-own-company').getByLabel('Company name').fill('Bench Ltd');
  await admin.getByTestId('new-own-company').getByRole('button', { name: 'Create company' }).click();
  await expect(admin.getByTestId('company-name')).toHaveText('Bench Ltd');
  const ownerEmail = uniqueEmail();
  const members = Array.from({ length: GROUP }, () => uniqueEmail());
  const csv = `email,name\n${[ownerEmail, ...members].map((e) => `${e},Member`).join('\n')}\n`;
  await admin.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await admin.getByTestId('csv-commit').click();
  await expect(admin.getByTestId('csv-summary')).toContainText(`${GROUP + 1} invited`, { timeout: 120_000 });
  console.log(`company: ${GROUP + 1} invited`);
  const owner = await joinWithNewAccount(browser, ownerEmail);
  const watching: Page[] = [];
  const simulated: Simulated[] = [];
  for (const [i, email] of members.entries()) {
    const page = await joinWithNewAccount(browser, email);
    if (i < WATCHING) watching.push(page);
    else {
      const cookies = await page.context().cookies();
      simulated.push({ email, cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') });
      await page.context().close();
    }
  }
  console.log(`company: ${GROUP + 1} joined`);
  await importInto(owner, SHARED);

  // The Admin makes the group with all of them (the Admin's browser hands on the directory key
  // and the group key as it syncs).
  await admin.getByRole('link', { name: 'Groups' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'directory key' })).toHaveCount(0, { timeout: 60_000 });
  const make = admin.getByRole('form', { name: 'New group' });
  await make.getByLabel('New group').fill('Everyone');
  await make.getByLabel('People (addresses)').fill(members.join(', '));
  const making = Date.now();
  await make.getByRole('button', { name: 'Make group' }).click();
  const everyone = admin.getByTestId('group').filter({ hasText: 'Everyone' });
  await expect(everyone.getByText('Has the key')).toHaveCount(GROUP + 1, { timeout: 300_000 });
  console.log(`make a group of ${GROUP} (keys looked up, pinned and wrapped in the Admin's browser): ${Date.now() - making} ms`);

  console.log('sharing');
  const start = Date.now();
  await shareServers(owner, 'Everyone', `Everyone (${GROUP + 1} people)`);
  const made = Date.now();
  await allSaved(owner);
  const sent = Date.now();
  const arrivals: number[] = [];
  const baseURL = test.info().project.use.baseURL!;
  const [, pulled] = await Promise.all([
    Promise.all(
      watching.map(async (page) => {
        await nav(page).getByRole('group', { name: 'Shared folders' }).getByRole('button', { name: 'Servers', exact: true }).first().click({ timeout: 240_000 });
        await expect(count(page)).toHaveText(`${SHARED} items`, { timeout: 240_000 });
        arrivals.push(Date.now() - start);
      }),
    ),
    Promise.all(simulated.map((who) => pullShare(baseURL, who, start))),
  ]);
  arrivals.sort((a, b) => a - b);
  pulled.sort((a, b) => a - b);
  const at = (q: number) => pulled[Math.min(pulled.length - 1, Math.floor(q * pulled.length))];
  console.log(
    `share ${SHARED} items with a group of ${GROUP}: made and moved in the owner's browser ${made - start} ms, on the server ${sent - start} ms, listed in ${WATCHING} members' open browsers ${arrivals.join(' / ')} ms; pulled whole by the ${simulated.length} simulated members (API): first ${pulled[0]} ms, median ${at(0.5)} ms, last ${pulled[pulled.length - 1]} ms`,
  );

  // The Admin takes the first watching member out: gone from their browser; the group gets its
  // next key and the owner's browser re-keys the share.
  const removing = Date.now();
  await everyone.getByTestId('group-person').filter({ hasText: members[0] }).getByRole('button', { name: 'Remove' }).click();
  await expect(nav(watching[0]).getByRole('group', { name: 'Shared folders' })).toBeHidden({ timeout: 240_000 });
  const gone = Date.now();
  await expect
    .poll(
      () =>
        owner.evaluate(async () => {
          const [share] = (await (await fetch('/api/shares')).json()) as { generation: number; rekey_pending: boolean }[];
          return `${share.generation}:${share.rekey_pending}`;
        }),
      { timeout: 600_000, intervals: [500] },
    )
    .toBe('2:false');
  await allSaved(owner);
  const rekeyed = Date.now();
  await expect(count(watching[1])).toHaveText(`${SHARED} items`, { timeout: 240_000 });
  console.log(
    `take a member out of the group of ${GROUP}: gone from their open browser ${gone - removing} ms; group key replaced, share re-keyed and ${SHARED} items sealed again and sent ${rekeyed - removing} ms`,
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
      // The first sync's measure is recorded as it ends, which may be just after the list shows.
      const read = () => page.evaluate(() => performance.getEntriesByName('strongroom:sync', 'measure')[0]?.duration ?? NaN);
      await expect.poll(read, { timeout: 60_000 }).not.toBeNaN();
      const total = await read();
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
