// A 10,000-item vault in Chromium: import time, unlock to list painted (against an empty vault's
// unlock, which is the key derivation plus opening the keys), search latency per keystroke and
// opening an item. Prints numbers; asserts nothing about time.
import { expect, test, type Page } from '@playwright/test';
import { PASSWORD, signInNewBrowser, signUp, uniqueEmail } from '../tests/support/account';
import { vaultCsv } from './data';

const ITEMS = 10_000;

function stats(name: string, values: number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  console.log(`${name}: median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, min ${sorted[0].toFixed(1)}, max ${sorted[sorted.length - 1].toFixed(1)} (n=${values.length})`);
}

/** From pressing Unlock to the first row of the list in the DOM (or the empty list). */
async function unlockToList(page: Page, expectRows: boolean): Promise<number> {
  await page.getByRole('button', { name: 'Lock' }).click();
  await page.getByLabel('Master password').fill(PASSWORD);
  return page.evaluate(async (rows) => {
    const start = performance.now();
    (document.querySelector('button[type=submit]') as HTMLButtonElement).click();
    await new Promise<void>((resolve) => {
      const check = () => {
        const done = rows
          ? document.querySelector('[data-testid=item-row]')
          : document.querySelector('#item-rows');
        if (done) resolve();
        else requestAnimationFrame(check);
      };
      check();
    });
    return performance.now() - start;
  }, expectRows);
}

test('a 10,000-item vault', async ({ page, browser }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  const empty: number[] = [];
  for (let i = 0; i < 5; i += 1) empty.push(await unlockToList(page, false));
  stats('unlock, empty vault (key derivation + keys)', empty);

  await page.getByRole('link', { name: 'Import' }).click();
  await page.getByLabel('CSV file').setInputFiles({ name: 'vault.csv', mimeType: 'text/csv', buffer: Buffer.from(vaultCsv(ITEMS)) });
  const importStart = Date.now();
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('import-done')).toContainText(`Imported ${ITEMS} items and sent`, { timeout: 240_000 });
  console.log(`import of ${ITEMS} items, sealed, stored and sent: ${((Date.now() - importStart) / 1000).toFixed(1)} s`);
  await page.getByRole('link', { name: 'Open the vault' }).click();
  await expect(page.getByTestId('item-count')).toHaveText(`${ITEMS} items`);

  // First full sync into a fresh browser: the app's own User Timing measure of its first sync
  // (pull every page, store every record, build the sealed indexes), then the list painted.
  const fresh = await browser.newContext();
  const second = await fresh.newPage();
  await signInNewBrowser(second, email);
  await expect(second.getByTestId('item-count')).toHaveText(`${ITEMS} items`, { timeout: 120_000 });
  const firstSync = await second.evaluate(() => performance.getEntriesByName('strongroom:sync', 'measure')[0]?.duration ?? NaN);
  console.log(`first full sync of ${ITEMS} items into a fresh browser: ${firstSync.toFixed(0)} ms`);
  await fresh.close();

  const full: number[] = [];
  for (let i = 0; i < 5; i += 1) full.push(await unlockToList(page, true));
  stats(`unlock to list painted, ${ITEMS} items`, full);
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  console.log(`vault cost over the empty unlock (median): ${(median(full) - median(empty)).toFixed(1)} ms`);
  await expect(page.getByTestId('item-count')).toHaveText(`${ITEMS} items`);

  // Search: one keystroke at a time, from the input event to the list updated in the DOM.
  const keystrokes = await page.evaluate(async () => {
    const input = document.querySelector('input[type=search]') as HTMLInputElement;
    const count = document.querySelector('[data-testid=item-count]')!;
    const times: number[] = [];
    for (const query of ['i', 'it', 'ite', 'item', 'item ', 'item 0', 'item 04', 'item 042', 'item 0421', 'c', 'cl', 'cli', 'clie', 'client', 'client1', 'client17', 'tag', 'tag1', 'tag12', 'user07', 'app9', 'zz']) {
      // Only keystrokes that change the list are timed (the first, "i", matches everything).
      const changed = new Promise<boolean>((resolve) => {
        const observer = new MutationObserver(() => {
          observer.disconnect();
          resolve(true);
        });
        observer.observe(document.querySelector('.item-list')!, { subtree: true, childList: true, characterData: true });
        setTimeout(() => { observer.disconnect(); resolve(false); }, 1000);
      });
      const start = performance.now();
      input.value = query;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      if (await changed) times.push(performance.now() - start);
      void count;
      await new Promise((r) => setTimeout(r, 30));
    }
    return times;
  });
  stats('search, per keystroke', keystrokes);

  // Open an item: from the click on a row to its title in the item pane.
  await page.getByRole('searchbox', { name: 'Search' }).fill('');
  const opens: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    opens.push(
      await page.evaluate(async (index) => {
        const row = document.querySelectorAll('[data-testid=item-row]')[index] as HTMLElement;
        const title = row.querySelector('.item-title')!.textContent!.replace('★ ', '');
        const start = performance.now();
        row.click();
        await new Promise<void>((resolve) => {
          const check = () => {
            if (document.querySelector('#item-title')?.textContent === title) resolve();
            else requestAnimationFrame(check);
          };
          check();
        });
        return performance.now() - start;
      }, i + 1),
    );
  }
  stats('open an item', opens);
});
