// The admin lists at scale in Chromium: a company of 5,000 users and a partner of 1,000
// companies. Prints, for opening the list and for a search, the time from the action to the
// first page painted (median of several runs), and the part of it the request and the render
// took (the page's `admin-list` measure). A search includes the 250 ms the page waits for a
// pause in typing before it asks. Asserts nothing about time.
import { test, expect, type Page } from '@playwright/test';
import { signUp, uniqueEmail } from '../tests/support/account';

const RUNS = 7;

function median(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms (min ${sorted[0].toFixed(0)}, max ${sorted[sorted.length - 1].toFixed(0)})`;
}

/** Clicks `tab`, then waits in the page until `rows` table rows show; returns the ms taken. */
async function timeTo(page: Page, act: () => Promise<void>, rows: number, table: string): Promise<number> {
  await page.evaluate(() => performance.clearMeasures('admin-list'));
  const waiting = page.evaluate(
    ({ rows, table }) =>
      new Promise<number>((resolve) => {
        const start = performance.now();
        const check = () => {
          const shown = document.querySelectorAll(`[data-testid=${table}] tbody tr`).length;
          if (shown === rows && document.querySelector(`[data-testid=${table}]`)) resolve(performance.now() - start);
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      }),
    { rows, table },
  );
  await act();
  return waiting;
}

async function measured(page: Page): Promise<number> {
  return page.evaluate(() => performance.getEntriesByName('admin-list').at(-1)?.duration ?? NaN);
}

test('a company of 5,000 users: first page and a search', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.getByRole('link', { name: 'Set up an organization' }).click();
  await page.getByLabel('Company name').fill('Bench Co');
  await page.getByRole('button', { name: 'Create company' }).click();
  await expect(page.getByTestId('company-name')).toHaveText('Bench Co');
  let csv = 'email,name,role\n';
  for (let n = 0; n < 4_999; n++) csv += `user${n}@bench.example,User ${n},user\n`;
  await page.getByLabel('CSV file').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByTestId('csv-commit').click();
  await expect(page.getByTestId('csv-summary')).toHaveText('4999 invited. 0 rows left out.', { timeout: 60_000 });

  const open: number[] = [];
  const openMeasured: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await expect(page.getByLabel('Contact email')).toBeVisible();
    open.push(await timeTo(page, () => page.getByRole('link', { name: 'Users' }).click(), 50, 'member-table'));
    openMeasured.push(await measured(page));
  }
  const search: number[] = [];
  const box = page.getByRole('searchbox', { name: 'Search users' });
  for (let i = 0; i < RUNS; i++) {
    const n = 1000 + i * 321;
    search.push(await timeTo(page, () => box.fill(`user${n}@`), 1, 'member-table'));
    await box.fill('');
    await expect(page.locator('[data-testid=member-table] tbody tr')).toHaveCount(50);
  }
  console.log(`admin list, 5,000 users: open to painted ${median(open)}; request and render ${median(openMeasured)}`);
  console.log(`admin list, 5,000 users: search to painted ${median(search)}`);
});

test('a partner of 1,000 companies: first page and a search', async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.getByRole('link', { name: 'Set up an organization' }).click();
  await page.getByLabel("Your MSP's name").fill('Bench MSP');
  await page.getByRole('button', { name: 'Create partner' }).click();
  await expect(page.getByTestId('company-table')).toBeVisible();
  const partner = /\/partner\/([^/]+)\//.exec(page.url())![1];
  await page.evaluate(async (partner) => {
    for (let n = 0; n < 1_000; n++) {
      const reply = await fetch(`/api/partners/${partner}/companies`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Customer ${String(n).padStart(4, '0')}`, tier: n % 3 ? 'standard' : 'advanced', contact_email: `it@c${n}.example` }),
      });
      if (!reply.ok) throw new Error(`company ${n}: ${reply.status}`);
    }
  }, partner);

  const open: number[] = [];
  const openMeasured: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.getByRole('link', { name: 'Roles' }).click();
    await expect(page.getByRole('cell', { name: 'Technician' })).toBeVisible();
    open.push(await timeTo(page, () => page.getByRole('link', { name: 'Companies' }).click(), 50, 'company-table'));
    openMeasured.push(await measured(page));
  }
  const search: number[] = [];
  const box = page.getByRole('searchbox', { name: 'Search companies' });
  for (let i = 0; i < RUNS; i++) {
    search.push(await timeTo(page, () => box.fill(`customer ${String(100 + i * 123).padStart(4, '0')}`), 1, 'company-table'));
    await box.fill('');
    await expect(page.locator('[data-testid=company-table] tbody tr')).toHaveCount(50);
  }
  console.log(`partner list, 1,000 companies: open to painted ${median(open)}; request and render ${median(openMeasured)}`);
  console.log(`partner list, 1,000 companies: search to painted ${median(search)}`);
});
