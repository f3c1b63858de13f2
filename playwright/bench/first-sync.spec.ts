// The first full sync of a 10,000-item vault into fresh browsers, several times, with where the
// time went: the app marks each pulled page (`strongroom:pull-start`, `-fetched`, `-opened`,
// `-indexed`, `-stored`) and measures the whole sync (`strongroom:sync`). Prints numbers;
// asserts nothing about time.
import { expect, test } from '@playwright/test';
import { signInNewBrowser, signUp, uniqueEmail } from '../tests/support/account';
import { vaultCsv } from './data';

const ITEMS = 10_000;
// The server mails an account at most 5 messages an hour (LIMIT_MAIL_ACCOUNT): the sign-up's
// confirmation and one new-browser code per run: 4 runs an hour per account.
const RUNS = Number(process.env.FIRST_SYNC_RUNS ?? 4);

type Phases = { total: number; fetch: number; open: number; index: number; store: number; pages: number };

test('first full sync of a 10,000-item vault', async ({ page, browser }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await page.getByRole('link', { name: 'Import' }).click();
  await page.getByLabel('CSV file').setInputFiles({ name: 'vault.csv', mimeType: 'text/csv', buffer: Buffer.from(vaultCsv(ITEMS)) });
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('import-done')).toContainText(`Imported ${ITEMS} items and sent`, { timeout: 240_000 });
  await page.close();

  const runs: Phases[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const fresh = await browser.newContext();
    const second = await fresh.newPage();
    await signInNewBrowser(second, email);
    await expect(second.getByTestId('item-count')).toHaveText(`${ITEMS} items`, { timeout: 120_000 });
    const phases = await second.evaluate(() => {
      const total = performance.getEntriesByName('strongroom:sync', 'measure')[0]?.duration ?? NaN;
      const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('strongroom:pull-'));
      const sums = { total, fetch: 0, open: 0, index: 0, store: 0, pages: 0 };
      const phase: Record<string, keyof typeof sums> = {
        'strongroom:pull-fetched': 'fetch',
        'strongroom:pull-opened': 'open',
        'strongroom:pull-indexed': 'index',
        'strongroom:pull-stored': 'store',
      };
      for (let i = 1; i < marks.length; i += 1) {
        const name = phase[marks[i].name];
        if (name) sums[name] += marks[i].startTime - marks[i - 1].startTime;
        else sums.pages += 1;
      }
      if (marks.length > 0) sums.pages += 1;
      return sums;
    });
    runs.push(phases);
    console.log(`run ${run + 1}: ${phases.total.toFixed(0)} ms (fetch and parse ${phases.fetch.toFixed(0)}, open ${phases.open.toFixed(0)}, index ${phases.index.toFixed(0)}, store ${phases.store.toFixed(0)}; ${phases.pages} pages)`);
    await fresh.close();
  }
  const totals = runs.map((r) => r.total).sort((a, b) => a - b);
  console.log(`first full sync of ${ITEMS} items into a fresh browser: median ${totals[Math.floor(totals.length / 2)].toFixed(0)} ms, min ${totals[0].toFixed(0)}, max ${totals[totals.length - 1].toFixed(0)} (n=${totals.length})`);
});
