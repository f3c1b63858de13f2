// Two server instances on one PostgreSQL database, as behind a load balancer: a browser on one
// instance gets a change made through the other by itself. The instance that stores a change
// announces it with NOTIFY; the other LISTENs and tells its browsers' change feeds.
//
// Needs STRONGROOM_TEST_POSTGRES_URL (a PostgreSQL server URL whose user may create databases;
// scripts/test.sh starts one, and always runs this spec) and `psql`.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { signUp, uniqueEmail } from './support/account';
import { collectProblems } from './support/app';
import { createItem, editItem, fieldValue, openItem, row } from './support/vault';
import { countLoads, dot, expectAllSaved, feedOpened, secondBrowser } from './support/sync';
import { type Instance, startInstance, stop } from './support/instance';

const adminUrl = process.env.STRONGROOM_TEST_POSTGRES_URL;

const database = `strongroom_e2e_sync_${process.pid}_${Date.now()}`;
let databaseCreated = false;
const instances: Instance[] = [];

function psql(sql: string): void {
  const run = spawnSync('psql', [adminUrl!, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { encoding: 'utf8' });
  if (run.error) throw new Error(`psql could not be run (${run.error.message}); install the PostgreSQL client`);
  if (run.status !== 0) throw new Error(`psql failed on "${sql}": ${run.stderr}`);
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  if (!adminUrl) {
    throw new Error(
      'set STRONGROOM_TEST_POSTGRES_URL to a PostgreSQL server URL (scripts/local-postgres.sh prints one): ' +
        'two instances on one PostgreSQL database are what this spec is about',
    );
  }
  psql(`CREATE DATABASE ${database}`);
  databaseCreated = true;
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  // One after the other: the first one creates the tables.
  instances.push(await startInstance({ DATABASE_URL: url.toString() }));
  instances.push(await startInstance({ DATABASE_URL: url.toString() }));
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  for (const [n, instance] of instances.entries()) {
    await testInfo.attach(`instance-${n + 1}.log`, { path: instance.log, contentType: 'text/plain' });
  }
});

test.afterAll(async () => {
  await Promise.all(instances.map((i) => stop(i.process)));
  for (const instance of instances) rmSync(instance.dataDir, { recursive: true, force: true });
  if (databaseCreated) psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

/** A browser (context) on `baseURL`. */
async function browserOn(browser: Browser, baseURL: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL });
  return { context, page: await context.newPage() };
}

test('a change made through one instance reaches a browser of the other by itself, both ways', async ({ browser }) => {
  const [one, two] = instances;
  const email = uniqueEmail();

  const a = await browserOn(browser, one.url);
  const problemsA = collectProblems(a.page);
  const listening = feedOpened(a.page);
  await signUp(a.page, email, undefined, one.mailDir);
  await listening;
  await expectAllSaved(a.page);
  const b = await secondBrowser(browser, email, { baseURL: two.url, mailDir: two.mailDir });
  const problemsB = collectProblems(b.page);
  const loadsA = countLoads(a.page);
  const loadsB = countLoads(b.page);

  // Created through instance 1: shows in B, on instance 2.
  await createItem(a.page, 'Website login', { Title: 'Load balanced', Username: 'ops', Password: 'via-one' });
  await expectAllSaved(a.page);
  await expect(row(b.page, 'Load balanced')).toBeVisible();
  await openItem(b.page, 'Load balanced');
  await expect.poll(() => fieldValue(b.page, 'Password')).toBe('via-one');

  // Edited and created through instance 2: shows in A, on instance 1.
  await editItem(b.page, { Password: 'via-two' });
  await createItem(b.page, 'Secure note', { Title: 'Written on two' });
  await expectAllSaved(b.page);
  await expect(row(a.page, 'Written on two')).toBeVisible();
  await expect(dot(a.page, 'Written on two')).toHaveClass(/green/);
  await expect.poll(() => fieldValue(a.page, 'Password')).toBe('via-two');

  // Once more through instance 1, to B with the item open.
  await openItem(b.page, 'Load balanced');
  await editItem(a.page, { Password: 'via-one-again' });
  await expect.poll(() => fieldValue(b.page, 'Password')).toBe('via-one-again');

  expect(loadsA() + loadsB(), 'no page was reloaded').toBe(0);
  await a.context.close();
  await b.context.close();
  expect(problemsA).toEqual([]);
  expect(problemsB).toEqual([]);
});
