// Helpers shared by the specs: open the app and collect what the page reports as broken.
import { expect, type Page } from '@playwright/test';

/** Problems the page reported: uncaught exceptions and console errors. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  return problems;
}

/** Opens the status overview and waits until the wasm app has rendered it. */
export async function openOverview(page: Page): Promise<void> {
  await page.goto('/status');
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
}

/** The status card (a labelled region) with the given title. */
export function card(page: Page, title: string) {
  return page.getByRole('region', { name: title });
}
