// Personal or Business is bound into each profile key's wrap: a server that relabels an
// account's profiles (so that, say, the Personal one is treated as Business and escrowed to the
// company) gets keys that do not open, and the browser says so instead of opening the vault.
// The migration of accounts made before kinds were bound is in upgrade.spec.ts.
import { expect, test } from '@playwright/test';
import { signIn, signUp, uniqueEmail } from './support/account';

test('profiles relabelled by the server are refused at sign-in', async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.route('**/api/login', async (route) => {
    const response = await route.fetch();
    const bundle = await response.json();
    for (const profile of bundle.keys?.profiles ?? []) {
      profile.kind = profile.kind === 'personal' ? 'business' : 'personal';
    }
    await route.fulfill({ response, json: bundle });
  });
  await signIn(page, email);
  await expect(page.getByRole('alert')).toContainText('labels a profile');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
});
