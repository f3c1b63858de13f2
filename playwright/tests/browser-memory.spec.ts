// Chromium's own password manager and form memory never keep what is typed into the vault:
// a person goes through sign-up, a folder, a website login and a card in a Chromium profile
// kept on disk, signs out, and the profile's files hold none of the values typed.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { signUp, uniqueEmail } from './support/account';
import { expectAllSaved } from './support/sync';
import { createFolder, createItem } from './support/vault';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('the browser profile on disk keeps nothing typed into the vault', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const profile = mkdtempSync(join(tmpdir(), 'strongroom-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    baseURL,
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const stamp = Date.now().toString(36);
  const canary = {
    folder: `cnryfolder${stamp}`,
    username: `cnryuser${stamp}`,
    password: `cnrypass${stamp}`,
    cardholder: `cnryholder${stamp}`,
    expiry: `11/${stamp.slice(-2)}`,
    url: `https://cnryurl${stamp}.example`,
  };
  await signUp(page, uniqueEmail());
  await createFolder(page, 'Personal', canary.folder);
  await createItem(page, 'Website login', { Title: 'Router', Username: canary.username, Password: canary.password, 'Websites (one per line)': canary.url });
  await createItem(page, 'Credit card', { Title: 'Card', 'Cardholder name': canary.cardholder, 'Expiry (MM/YY)': canary.expiry });
  await expectAllSaved(page);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await context.close();

  const found: string[] = [];
  for (const file of filesUnder(profile)) {
    const text = readFileSync(file).toString('latin1');
    for (const [what, value] of Object.entries(canary)) {
      if (text.includes(value) || readFileSync(file).includes(Buffer.from(value, 'utf16le'))) found.push(`${what} in ${file.slice(profile.length)}`);
    }
  }
  expect(found).toEqual([]);
});
