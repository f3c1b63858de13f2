// Sync benchmarks: A→B propagation of an edit (two browsers on one account, the second told by
// the server's change feed), and delta-pull throughput and latency under 200 concurrent clients
// (wrk, with a signed-in session's cookie). Prints numbers; asserts nothing about time.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signInNewBrowser, signUp, uniqueEmail } from '../tests/support/account';
import { createItem, fillForm, openItem, rows, saveItem } from '../tests/support/vault';

const EDITS = 100;

function stats(name: string, values: number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  console.log(`${name}: p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, min ${sorted[0].toFixed(1)}, max ${sorted[sorted.length - 1].toFixed(1)} (n=${values.length})`);
}

/** In `page`, notes the wall-clock time at which each title first appears in the item list. */
async function watchTitles(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: Record<string, number> = {};
    (window as unknown as { __seen: Record<string, number> }).__seen = seen;
    const list = document.querySelector('.item-list')!;
    new MutationObserver(() => {
      const now = performance.timeOrigin + performance.now();
      for (const title of list.querySelectorAll('.item-title')) {
        const text = title.textContent ?? '';
        if (!(text in seen)) seen[text] = now;
      }
    }).observe(list, { subtree: true, childList: true, characterData: true });
  });
}

test('A→B propagation of an edit', async ({ page, browser }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await createItem(page, 'Website login', { Title: 'Edit 0', Username: 'bench', Password: 'p' });
  const other = await browser.newContext();
  const b = await other.newPage();
  await signInNewBrowser(b, email);
  await expect(rows(b).filter({ hasText: 'Edit 0' })).toHaveCount(1);
  await watchTitles(b);

  const delays: number[] = [];
  let title = 'Edit 0';
  for (let n = 1; n <= EDITS; n += 1) {
    await openItem(page, title);
    await page.getByRole('button', { name: 'Edit' }).click();
    title = `Edit ${n}`;
    await fillForm(page, { Title: title });
    // The moment Save is pressed in A, on the same clock as B's observer.
    const saved = await page.evaluate(() => {
      const button = [...document.querySelectorAll('form button')].find((e) => e.textContent === 'Save') as HTMLButtonElement;
      const at = performance.timeOrigin + performance.now();
      button.click();
      return at;
    });
    await expect(page.getByRole('form')).toBeHidden();
    await expect(rows(b).filter({ hasText: title })).toHaveCount(1);
    const seen = await b.evaluate((t) => (window as unknown as { __seen: Record<string, number> }).__seen[t], title);
    delays.push(seen - saved);
  }
  stats(`A→B propagation, ${EDITS} edits (Save pressed in A → title in B's list)`, delays);
  await other.close();
});

test('delta pull under 200 concurrent clients (wrk)', async ({ page, context, baseURL }) => {
  let wrk: string;
  try {
    wrk = execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('this benchmark drives the load with wrk, which is not installed: apt-get install wrk');
  }
  await signUp(page, uniqueEmail());
  // A vault of 50 items; the pull asks for the last 10 changes, as a browser catching up does.
  await page.getByRole('link', { name: 'Import' }).click();
  const lines = ['title,url,username,password'];
  for (let i = 0; i < 50; i += 1) lines.push(`Load ${i},https://load${i}.example,user${i},pw-${i}`);
  await page.getByLabel('CSV file').setInputFiles({ name: 'load.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('import-done')).toContainText('Imported 50 items and sent');
  // The cursors a browser that is 10 changes behind in each container sends.
  const body = await page.evaluate(async () => {
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
    const all = await (await fetch('/api/vault/pull', init)).json();
    const cursors = all.heads.map((h: { container_id: string; revision: number }) => ({
      container_id: h.container_id,
      revision: Math.max(0, h.revision - 10),
    }));
    return JSON.stringify({ access_since: all.access_head, cursors });
  });
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const url = `${baseURL}/api/vault/pull`;
  const script = join(mkdtempSync(join(tmpdir(), 'wrk-')), 'pull.lua');
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.body = '${body}'\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  const output = execFileSync(wrk, ['-t2', '-c200', '-d15s', '--latency', '-s', script, '-H', `Cookie: ${cookie}`, url], {
    encoding: 'utf8',
  });
  const line = (label: string) => output.split('\n').find((l) => l.trim().startsWith(label))?.trim() ?? '?';
  console.log(`delta pull (10 records, ${url.replace(/.*\/api/, '/api')}), wrk -t2 -c200 -d15s:`);
  console.log(`  ${line('Requests/sec')}`);
  console.log(`  latency ${line('50%')} · ${line('90%')} · ${line('99%')}`);
  console.log(`  ${line('Non-2xx') === '?' ? 'all responses 2xx' : line('Non-2xx')}`);
});
