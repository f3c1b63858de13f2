// The vault: every item type in both profiles and nested folders, intact after a reload.
import { expect, test } from '@playwright/test';
import { signUp, uniqueEmail, unlock } from './support/account';
import { collectProblems } from './support/app';
import { createFolder, createItem, fieldValue, openItem, openPlace, rows } from './support/vault';

/** One item of every kind, with its distinctive fields (labels as the form shows them). */
export const EVERY_KIND: Array<{ kind: string; fields: Record<string, string> }> = [
  { kind: 'Website login', fields: { Title: 'Bank', 'Websites (one per line)': 'https://bank.example\nhttps://login.bank.example', Username: 'alice', Password: 'bank-pw-1', 'Authenticator key (TOTP)': 'JBSWY3DPEHPK3PXP' } },
  { kind: 'Server', fields: { Title: 'Web server', Host: 'web1.example.net', Port: '22', Protocol: 'SSH', Username: 'root', Password: 'srv-pw-2', 'Private key': '-----BEGIN KEY-----\nabc\n-----END KEY-----' } },
  { kind: 'Secure note', fields: { Title: 'Alarm code', Notes: 'Front door 4711' } },
  { kind: 'Email account', fields: { Title: 'Office mail', 'Email address': 'me@office.example', Password: 'mail-pw-3', 'Incoming server': 'imap.office.example', 'Incoming port': '993', 'Incoming protocol': 'IMAP', 'Outgoing server (SMTP)': 'smtp.office.example', 'Outgoing port': '587' } },
  { kind: 'Credit card', fields: { Title: 'Company card', 'Cardholder name': 'A Person', 'Card number': '4111111111111234', Brand: 'Visa', 'Expiry (MM/YY)': '12/29', 'Security code': '123' } },
  { kind: 'Identity', fields: { Title: 'Me', 'First name': 'Ada', 'Last name': 'Lovelace', Email: 'ada@example.com', Phone: '+44 1234', City: 'London' } },
  { kind: 'Software licence', fields: { Title: 'Office suite', Product: 'Suite Pro', 'Licence key': 'AAAA-BBBB-CCCC', 'Licensed to': 'Acme Ltd' } },
  { kind: 'Wi-Fi', fields: { Title: 'Guest Wi-Fi', 'Network name (SSID)': 'guest', Password: 'wifi-pw-4', Security: 'WPA2' } },
  { kind: 'Database', fields: { Title: 'CRM database', Type: 'PostgreSQL', Host: 'db.example.net', Port: '5432', Database: 'crm', Username: 'crm_app', Password: 'db-pw-5' } },
];

test('every item type in both profiles and a three-level folder tree survives a reload', async ({ page }) => {
  const problems = collectProblems(page);
  await signUp(page, uniqueEmail());
  for (const profile of ['Personal', 'Business'] as const) {
    await createFolder(page, profile, `${profile} A`);
    await createFolder(page, profile, `${profile} B`, `${profile} A`);
    await createFolder(page, profile, `${profile} C`, `${profile} A / ${profile} B`);
  }
  // Alternate profiles and folder depths; every kind appears in both profiles.
  const places = ['', ' A', ' A / B', ' A / B / C'];
  let n = 0;
  for (const profile of ['Personal', 'Business'] as const) {
    for (const { kind, fields } of EVERY_KIND) {
      const depth = places[n % places.length];
      const path = depth ? depth.trim().split(' / ').map((p) => `${profile} ${p}`).join(' / ') : undefined;
      await openPlace(page, profile, path);
      await createItem(page, kind, { ...fields, Title: `${fields.Title} (${profile})`, 'Tags (comma-separated)': `t${n}, ${profile.toLowerCase()}` });
      n += 1;
    }
  }
  await page.reload();
  await unlock(page);
  await expect(rows(page)).toHaveCount(EVERY_KIND.length * 2);
  n = 0;
  for (const profile of ['Personal', 'Business'] as const) {
    for (const { kind, fields } of EVERY_KIND) {
      const title = `${fields.Title} (${profile})`;
      await openItem(page, title);
      await expect(page.getByTestId('item-kind')).toHaveText(kind);
      const depth = places[n % places.length];
      const where = depth ? depth.trim().split(' / ').map((p) => `${profile} ${p}`).join(' / ') : '';
      await expect(page.getByTestId('item-place')).toHaveText(where ? `${profile} / ${where}` : profile);
      for (const [label, value] of Object.entries(fields)) {
        if (label === 'Title' || label === 'Notes' || label.startsWith('Websites')) continue;
        expect(await fieldValue(page, label), `${title} ${label}`).toBe(value);
      }
      if (fields.Notes) await expect(page.locator('.notes')).toHaveText(fields.Notes);
      if (fields['Websites (one per line)']) {
        for (const url of fields['Websites (one per line)'].split('\n')) {
          await expect(page.getByRole('link', { name: url })).toBeVisible();
        }
      }
      await expect(page.locator('.item-fields .tag')).toHaveText([`t${n}`, profile.toLowerCase()]);
      n += 1;
    }
  }
  expect(problems).toEqual([]);
});
