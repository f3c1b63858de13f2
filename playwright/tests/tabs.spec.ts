// Several tabs of different releases on one browser store: an older release's tab that holds
// the store open holds up this tab's upgrade (the page says so, then goes on once it closes),
// and a newer release that upgraded the store makes this tab ask to be reloaded.
import { test, expect, type Page } from '@playwright/test';
import { openOverview } from './support/app';

/** The IndexedDB schema version this release opens its store at (`cache::SCHEMA_VERSION`). */
const SCHEMA_VERSION = 5;

/** A page of the app's origin that does not run the app, standing in for another release. */
async function otherRelease(page: Page): Promise<void> {
  await page.goto('/api/health');
}

test('an older tab holding the store open is named, and the app goes on once it closes', async ({
  context,
}) => {
  const older = await context.newPage();
  await otherRelease(older);
  // The older release keeps its connection open whatever other tabs need.
  await older.evaluate(
    (version) =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.open('strongroom', version);
        request.onsuccess = () => {
          (window as unknown as { held: IDBDatabase }).held = request.result;
          resolve();
        };
        request.onerror = () => reject(request.error);
      }),
    SCHEMA_VERSION - 1,
  );

  const page = await context.newPage();
  await page.goto('/status');
  const waiting = page.getByTestId('storage-waiting');
  await expect(waiting).toBeVisible();
  await expect(waiting).toContainText('open in another tab with an older version');
  await expect(page.getByTestId('device-id')).not.toBeVisible();

  await older.evaluate(() => (window as unknown as { held: IDBDatabase }).held.close());
  await expect(waiting).not.toBeVisible();
  await expect(page.getByTestId('device-id')).toHaveText(/^[0-9a-f-]{36}$/);
});

test('a newer release that upgraded the store makes this tab ask to be reloaded', async ({
  context,
}) => {
  const page = await context.newPage();
  await openOverview(page);
  await expect(page.getByTestId('device-id')).toHaveText(/^[0-9a-f-]{36}$/);

  const newer = await context.newPage();
  await otherRelease(newer);
  // Not held up: this release's tab lets go of the store as soon as a newer one asks.
  await newer.evaluate(
    (version) =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.open('strongroom', version);
        request.onsuccess = () => {
          request.result.close();
          resolve();
        };
        request.onerror = () => reject(request.error);
        request.onblocked = () => reject(new Error('held up by the older tab'));
      }),
    SCHEMA_VERSION + 1,
  );

  // The tab still runs this release's code, which cannot read the newer store.
  await page.reload();
  const superseded = page.getByTestId('storage-superseded');
  await expect(superseded).toBeVisible();
  await expect(superseded).toContainText('Strongroom was updated in another tab');
  await expect(superseded.getByRole('button', { name: 'Reload' })).toBeVisible();
});
