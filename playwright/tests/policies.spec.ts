// Security policies in the browser: an Admin reviews the recommended policies of a new company
// and saves them (journey 2); a member's open browser applies the change at once (no reload),
// and two-factor authentication required sends a member without it to set it up, the vault
// opening again once it is on.
import { test, expect } from '@playwright/test';
import { expectVaultOpen, uniqueEmail } from './support/account';
import { joinWithNewAccount, ownCompany } from './support/orgs';
import { totp } from './support/totp';

test('an Admin saves the recommended policies; a member is sent to set up 2FA at once', async ({ browser }) => {
  const memberEmail = uniqueEmail();
  const admin = await ownCompany(browser, [memberEmail]);
  const member = await joinWithNewAccount(browser, memberEmail);

  await admin.getByRole('link', { name: 'Policies' }).click();
  const form = admin.getByTestId('policies-form');
  await expect(form.getByTestId('review-recommended')).toBeVisible();
  // Standard tier: the advanced policies are shown but cannot be changed.
  await expect(form.getByTestId('advanced-locked')).toBeVisible();
  await expect(form.getByTestId('policy-password_auditing').getByRole('checkbox')).toBeDisabled();
  await expect(form.getByTestId('policy-two_factor').getByRole('checkbox')).not.toBeChecked();
  await form.getByRole('button', { name: 'Use recommended values' }).click();
  await expect(form.getByTestId('policies-notice')).toContainText('6 policies set to their recommended values');
  await expect(form.getByTestId('policy-two_factor').getByRole('checkbox')).toBeChecked();
  await expect(form.getByTestId('policy-disable_exports').getByRole('combobox')).toHaveValue('no_profiles');
  await form.getByRole('button', { name: 'Save 6 changes' }).click();
  await expect(form.getByTestId('policies-notice')).toContainText('Saved');
  await expect(form.getByTestId('review-recommended')).toHaveCount(0);
  await expect(form.getByTestId('policy-two_factor')).toContainText('Last changed by');

  // The member's open vault hears of it and is sent to set up two-factor authentication.
  await expect(member.getByTestId('policy-obligation')).toContainText('requires two-factor authentication');
  await expect(member).toHaveURL(/\/settings$/);
  await member.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  const secret = (await member.getByTestId('totp-secret').textContent())!;
  await member.getByLabel('Code from your authenticator app').fill(totp(secret));
  await member.getByRole('button', { name: 'Turn on' }).click();
  await expect(member.getByTestId('recovery-code')).toHaveCount(10);
  await member.getByRole('button', { name: 'I have saved them' }).click();
  await expect(member.getByTestId('policy-obligation')).toHaveCount(0);
  // While the company requires it, turning it off is refused with the reason.
  await member.getByLabel('Master password (to turn it off)').fill('correct horse battery staple');
  await member.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
  await expect(member.getByRole('alert')).toContainText('requires two-factor authentication');
  await member.getByRole('link', { name: 'Vault', exact: true }).click();
  await expectVaultOpen(member, memberEmail);
});
