// Contacts: keys accepted on first use, compared by fingerprint, and a server that substitutes
// a contact's keys stopped by a blocking warning that shows both fingerprints.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { signUp, uniqueEmail, unlock } from './support/account';
import { type Instance, startInstance, stop } from './support/instance';

async function ownFingerprint(page: Page): Promise<string> {
  await page.getByRole('link', { name: 'Account settings' }).click();
  const fingerprint = page.getByTestId('own-fingerprint');
  await expect(fingerprint).toHaveText(/^(\d{5} ){5}\d{5}$/);
  return (await fingerprint.textContent()) ?? '';
}

async function person(browser: Browser, email: string, instance?: Instance): Promise<Page> {
  const context = await browser.newContext(instance ? { baseURL: instance.url } : {});
  const page = await context.newPage();
  await signUp(page, email, undefined, instance?.mailDir);
  return page;
}

async function addContact(page: Page, email: string): Promise<void> {
  await page.getByLabel('Add a contact').fill(email);
  await page.getByRole('button', { name: 'Look up' }).click();
}

function contactRow(page: Page, email: string) {
  return page.getByTestId('contacts').getByRole('row').filter({ hasText: email });
}

test('a contact is pinned on first use, compared by fingerprint and kept', async ({ browser }) => {
  const [aliceEmail, bobEmail] = [uniqueEmail(), uniqueEmail()];
  const bob = await person(browser, bobEmail);
  const bobFingerprint = await ownFingerprint(bob);
  const alice = await person(browser, aliceEmail);

  await alice.getByRole('link', { name: 'Contacts' }).click();
  await expect(alice.getByText('No contacts yet.')).toBeVisible();
  await addContact(alice, 'nobody-here@example.com');
  await expect(alice.getByRole('alert')).toContainText('Nobody with this address');
  await addContact(alice, bobEmail.toUpperCase());
  await expect(alice.getByRole('status')).toContainText(`${bobEmail} added`);
  const row = contactRow(alice, bobEmail);
  await expect(row).toContainText(bobFingerprint);
  await expect(row).toContainText('Not verified');
  await row.getByRole('button', { name: 'Mark as verified' }).click();
  await expect(row).toContainText('Verified');
  await expect(row.getByRole('button')).toHaveCount(0);

  // Kept in the vault: there after a reload, and looked up again nothing changes.
  await alice.reload();
  await unlock(alice);
  await alice.getByRole('link', { name: 'Contacts' }).click();
  await expect(contactRow(alice, bobEmail)).toContainText('Verified');
  await addContact(alice, bobEmail);
  await expect(alice.getByRole('status')).toContainText('already a contact');
  await expect(alice.getByTestId('key-change')).toHaveCount(0);
});

test('keys the server substitutes for a contact are refused or block with both fingerprints', async ({ browser }) => {
  const [aliceEmail, bobEmail, carolEmail] = [uniqueEmail(), uniqueEmail(), uniqueEmail()];
  const bob = await person(browser, bobEmail);
  const bobFingerprint = await ownFingerprint(bob);
  const bobId = await bob.evaluate(async () => (await (await fetch('/api/account')).json()).account_id);
  const carol = await person(browser, carolEmail);
  const carolKeys = await carol.evaluate(async () => (await (await fetch('/api/account')).json()).published_keys);
  // A genuine account with Bob's address, on a server the attacker runs: its statement is
  // validly signed, for the same address, by other keys.
  const other = await startInstance();
  try {
    const impostor = await person(browser, bobEmail, other);
    const impostorFingerprint = await ownFingerprint(impostor);
    const impostorKeys = await impostor.evaluate(async () => (await (await fetch('/api/account')).json()).published_keys);
    expect(impostorKeys.email).toBe(bobEmail);

    const alice = await person(browser, aliceEmail);
    await alice.getByRole('link', { name: 'Contacts' }).click();
    await addContact(alice, bobEmail);
    await expect(contactRow(alice, bobEmail)).toContainText(bobFingerprint);

    // Carol's statement relabelled with Bob's address: the signature no longer holds.
    await alice.route('**/api/keys/lookup', (route) => route.fulfill({ json: { keys: [{ ...carolKeys, email: bobEmail }] } }));
    await addContact(alice, bobEmail);
    await expect(alice.getByRole('alert')).toContainText('not signed by that account');

    // A validly signed statement for Bob's address by other keys: a blocking warning.
    await alice.unroute('**/api/keys/lookup');
    await alice.route('**/api/keys/lookup', (route) => route.fulfill({ json: { keys: [impostorKeys] } }));
    await addContact(alice, bobEmail);
    const warning = alice.getByTestId('key-change');
    await expect(warning).toBeVisible();
    await expect(warning).toContainText(`The keys of ${bobEmail} changed`);
    await expect(warning).toContainText(bobFingerprint);
    await expect(warning.getByTestId('new-fingerprint')).toHaveText(impostorFingerprint);
    await warning.getByRole('button', { name: 'Keep the old keys' }).click();
    await expect(warning).toHaveCount(0);
    await expect(contactRow(alice, bobEmail)).toContainText(bobFingerprint);

    // On the next visit the contacts are checked again by account id: the impostor's
    // statement is about another account and is not taken for Bob's; the pin stays.
    const lookups: string[] = [];
    alice.on('request', (r) => r.url().endsWith('/api/keys/lookup') && lookups.push(r.postData() ?? ''));
    await alice.getByRole('link', { name: 'Vault' }).click();
    await alice.getByRole('link', { name: 'Contacts' }).click();
    await expect.poll(() => lookups.length).toBe(1);
    expect(JSON.parse(lookups[0]).account_ids).toEqual([bobId]);
    await expect(alice.getByTestId('key-change')).toHaveCount(0);
    await expect(contactRow(alice, bobEmail)).toContainText(bobFingerprint);
    await expect(contactRow(alice, bobEmail)).not.toContainText(impostorFingerprint);
  } finally {
    await stop(other.process);
  }
});
