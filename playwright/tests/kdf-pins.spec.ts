// A server cannot weaken the master password's key derivation: the browser refuses lowered
// settings before deriving anything (also a browser that never saw the account: the floor is
// what new accounts get), takes a new salt only on the person's word that they changed their
// master password, and keeps a password envelope from the server only if it opens here.
import { expect, test, type Page } from '@playwright/test';
import { PASSWORD, expectVaultOpen, signIn, signUp, uniqueEmail, unlock } from './support/account';

/** Rewrites the server's prelogin answer with `change`, and records whether a login was sent. */
async function tamperWithPrelogin(page: Page, change: (answer: { kdf: Record<string, number>; salt: string }) => void): Promise<() => boolean> {
  let loginSent = false;
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/login') loginSent = true;
  });
  await page.route('**/api/prelogin', async (route) => {
    const answer = await (await route.fetch()).json();
    change(answer);
    await route.fulfill({ json: answer });
  });
  return () => loginSent;
}

test('lowered settings are refused before deriving, in a browser that never saw the account', async ({ page, browser }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  const fresh = await (await browser.newContext()).newPage();
  // The settings the browser accepted before: 19 MiB, 2 passes (about 5x cheaper to guess at).
  const loginSent = await tamperWithPrelogin(fresh, (answer) => {
    answer.kdf = { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 };
  });
  await signIn(fresh, email);
  await expect(fresh.getByRole('alert')).toContainText('offered weaker password protection');
  expect(loginSent(), 'no auth key left the browser').toBe(false);
  await fresh.context().close();
});

test('a new salt is refused without the person saying they changed the password', async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  const loginSent = await tamperWithPrelogin(page, (answer) => {
    answer.salt = Buffer.from(Array.from({ length: 16 }, (_, i) => i * 7)).toString('base64url');
  });
  await signIn(page, email);
  await expect(page.getByRole('alert')).toContainText('password settings changed');
  expect(loginSent(), 'nothing was derived or sent').toBe(false);
  await expect(page.getByLabel('I changed my master password in another browser')).not.toBeChecked();
  // The server stops tampering: the pinned salt is offered again and signing in works.
  await page.unroute('**/api/prelogin');
  await signIn(page, email);
  await expectVaultOpen(page, email);
});

test('an envelope the server swaps in is not kept unless it opens here', async ({ page, browser }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  const kept = () =>
    page.evaluate(async () => {
      const request = <T>(r: IDBRequest<T>) =>
        new Promise<T>((ok, fail) => {
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error);
        });
      const db = await request(indexedDB.open('strongroom'));
      const bytes = (await request(db.transaction('account', 'readonly').objectStore('account').get('bundle'))) as Uint8Array;
      db.close();
      return JSON.parse(new TextDecoder().decode(bytes)).password_envelope as string;
    });
  const original = await kept();
  // Another account's envelope (a real one, at the real settings) in place of this one.
  const other = await (await browser.newContext()).newPage();
  const otherEmail = uniqueEmail();
  await signUp(other, otherEmail);
  const foreign = await other.evaluate(async () => (await (await fetch('/api/account')).json()).password_envelope as string);
  await other.context().close();
  await page.route('**/api/account', async (route) => {
    if (route.request().method() !== 'GET') return route.fallback();
    const bundle = await (await route.fetch()).json();
    bundle.password_envelope = foreign;
    await route.fulfill({ json: bundle });
  });
  await page.reload();
  await unlock(page);
  await expectVaultOpen(page, email);
  expect(await kept()).toBe(original);
  // And the next unlock still works from what was kept, offline too.
  await page.unroute('**/api/account');
  await page.getByRole('button', { name: 'Lock' }).click();
  await unlock(page, PASSWORD);
  await expectVaultOpen(page, email);
});
