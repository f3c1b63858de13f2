// The shell: the page loads, the wasm starts, the server's health and the in-browser crypto
// self-check are shown, and the IndexedDB cache survives a reload.
import { test, expect } from '@playwright/test';
import { card, collectProblems, openOverview } from './support/app';

test('the app loads and the wasm starts without errors', async ({ page }) => {
  const problems = collectProblems(page);
  await openOverview(page);
  await expect(page.getByRole('link', { name: 'Strongroom' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(card(page, 'Cryptography in this browser').getByText('OK')).toBeVisible();
  expect(problems).toEqual([]);
});

test("the server's health is shown", async ({ page }) => {
  await openOverview(page);
  const server = card(page, 'Server');
  await expect(server.getByTestId('server-status')).toHaveText('ok');
  await expect(server.getByTestId('server-database')).toHaveText('sqlite');
  await expect(server.getByTestId('server-state')).toHaveText('OK');
});

test('the cryptography self-check passes in the browser', async ({ page }) => {
  await openOverview(page);
  await expect(page.getByTestId('crypto-result')).toContainText('Self-check passed');
  await expect(page.getByTestId('crypto-state')).toHaveText('OK');
});

test('the IndexedDB cache survives a reload', async ({ page }) => {
  await openOverview(page);
  const id = page.getByTestId('device-id');
  await expect(id).toHaveText(/^[0-9a-f-]{36}$/);
  const first = await id.textContent();
  await expect(page.getByTestId('device-opens')).toHaveText('once');
  await page.reload();
  await expect(page.getByTestId('device-opens')).toHaveText('twice');
  await expect(page.getByTestId('device-id')).toHaveText(first!);
});

test('another browser profile is another browser', async ({ browser }) => {
  const a = await browser.newContext();
  const b = await browser.newContext();
  const pageA = await a.newPage();
  const pageB = await b.newPage();
  await openOverview(pageA);
  await openOverview(pageB);
  await expect(pageA.getByTestId('device-id')).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(pageB.getByTestId('device-id')).toHaveText(/^[0-9a-f-]{36}$/);
  expect(await pageA.getByTestId('device-id').textContent()).not.toEqual(
    await pageB.getByTestId('device-id').textContent(),
  );
  await a.close();
  await b.close();
});

test('an unreachable server is explained, and "Check again" recovers', async ({ page }) => {
  await page.route('**/api/health', (route) => route.abort('connectionrefused'));
  await openOverview(page);
  const server = card(page, 'Server');
  await expect(server.getByRole('alert')).toContainText('could not be reached');
  await expect(server.getByTestId('server-state')).toHaveText('Problem');
  await page.unroute('**/api/health');
  await server.getByRole('button', { name: 'Check again' }).click();
  await expect(server.getByTestId('server-status')).toHaveText('ok');
  await expect(server.getByTestId('server-state')).toHaveText('OK');
});

test('a wasm file altered on the way never runs', async ({ page }) => {
  const problems = collectProblems(page);
  await page.route('**/*_bg.wasm', async (route) => {
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    body[body.length - 16] ^= 0x01;
    await route.fulfill({ response, body });
  });
  await page.goto('/status');
  await expect.poll(() => problems.join('\n')).toContain('integrity');
  await expect(page.getByRole('heading', { name: 'Overview' })).toHaveCount(0);
});

test('an unknown address shows "not found" with a way back', async ({ page }) => {
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to your vault' }).click();
  // Nobody is signed in here, so the vault sends the person to sign in.
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
});

test('the security headers reach the browser', async ({ page }) => {
  const response = await page.goto('/status');
  const headers = response!.headers();
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['content-security-policy']).not.toContain('unsafe-inline');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
});
