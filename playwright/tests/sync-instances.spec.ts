// Two server instances on one PostgreSQL database, as behind a load balancer: a browser on one
// instance gets a change made through the other by itself. The instance that stores a change
// announces it with NOTIFY; the other LISTENs and tells its browsers' change feeds.
//
// Needs STRONGROOM_TEST_POSTGRES_URL (a PostgreSQL server URL whose user may create databases;
// scripts/test.sh starts one, and always runs this spec) and `psql`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { signUp, uniqueEmail } from './support/account';
import { collectProblems } from './support/app';
import { createItem, editItem, fieldValue, openItem, row } from './support/vault';
import { countLoads, dot, expectAllSaved, feedOpened, secondBrowser } from './support/sync';

const root = resolve(__dirname, '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
const binary = process.env.STRONGROOM_BIN ?? join(targetDir, 'debug', 'strongroom');
const dist = process.env.STRONGROOM_E2E_DIST ?? join(root, 'dist');
const adminUrl = process.env.STRONGROOM_TEST_POSTGRES_URL;

type Instance = { url: string; dataDir: string; mailDir: string; log: string; process: ChildProcess };

const database = `strongroom_e2e_sync_${process.pid}_${Date.now()}`;
let databaseCreated = false;
const instances: Instance[] = [];

function psql(sql: string): void {
  const run = spawnSync('psql', [adminUrl!, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { encoding: 'utf8' });
  if (run.error) throw new Error(`psql could not be run (${run.error.message}); install the PostgreSQL client`);
  if (run.status !== 0) throw new Error(`psql failed on "${sql}": ${run.stderr}`);
}

/** A TCP port free at the moment. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts an instance on `databaseUrl` with its own data folder, and waits until it answers. */
async function startInstance(databaseUrl: string): Promise<Instance> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'strongroom-e2e-instance-'));
  const log = join(dataDir, 'server.log');
  const out = openSync(log, 'a');
  const child = spawn(binary, [], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      STRONGROOM_BIND: `127.0.0.1:${port}`,
      STRONGROOM_DATA_DIR: dataDir,
      STRONGROOM_STATIC_DIR: dist,
      STRONGROOM_LOG: 'info',
      STRONGROOM_IP_LIMIT_MULTIPLIER: '100',
    },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const instance = { url: `http://127.0.0.1:${port}`, dataDir, mailDir: join(dataDir, 'mail'), log, process: child };
  instances.push(instance);
  let exited = false;
  child.on('exit', () => (exited = true));
  await expect
    .poll(
      async () => {
        if (exited) throw new Error(`the instance stopped:\n${readFileSync(log, 'utf8')}`);
        try {
          return (await fetch(`${instance.url}/api/health`)).ok;
        } catch {
          return false;
        }
      },
      { timeout: 60_000, message: `instance on port ${port} answers /api/health` },
    )
    .toBe(true);
  return instance;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
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
  await startInstance(url.toString());
  await startInstance(url.toString());
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
