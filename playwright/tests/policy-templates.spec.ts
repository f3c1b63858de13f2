// A partner's policy templates: the MSP makes a template, previews and applies it to three
// companies (the Advanced policy is left alone on the Standard ones), someone changes one
// company by hand, the drift report shows exactly that difference, and reconcile removes it.
import { test, expect, type Page } from '@playwright/test';
import { uniqueEmail } from './support/account';
import { signUpAsMsp } from './support/orgs';

async function newCompany(page: Page, name: string, tier: 'standard' | 'advanced'): Promise<void> {
  const form = page.getByTestId('new-company');
  await form.getByLabel('Company name').fill(name);
  await form.getByLabel('Tier').selectOption(tier);
  await form.getByLabel('Contact email').fill('it@customer.example');
  await form.getByRole('button', { name: 'Create company' }).click();
  await expect(page.getByTestId('company-row').filter({ hasText: name })).toBeVisible();
}

test('a template applied to three companies reports drift after a change by hand, and reconcile removes it', async ({ page }) => {
  test.setTimeout(180_000);
  const msp = uniqueEmail();
  await signUpAsMsp(page, msp, 'Northwind IT');
  await newCompany(page, 'Alpha', 'standard');
  await newCompany(page, 'Bravo', 'standard');
  await newCompany(page, 'Charlie', 'advanced');

  // The template.
  await page.getByRole('navigation', { name: 'Partner' }).getByRole('link', { name: 'Policies' }).click();
  await page.getByRole('button', { name: 'New template' }).click();
  const editor = page.getByTestId('template-editor');
  await editor.getByLabel('Name').fill('Baseline');
  await editor.getByTestId('policy-two_factor').getByRole('checkbox').check();
  await editor.getByTestId('policy-disable_exports').getByRole('combobox').selectOption('no_profiles');
  await editor.getByTestId('policy-password_auditing').getByRole('checkbox').check();
  await editor.getByRole('button', { name: 'Save template' }).click();
  const templates = page.getByRole('table', { name: 'Templates' });
  await expect(templates.getByRole('row').filter({ hasText: 'Baseline' })).toContainText('3');

  // Preview, then apply to all three.
  await templates.getByRole('button', { name: 'Apply to companies…' }).click();
  const apply = page.getByTestId('apply-template');
  await apply.getByRole('button', { name: 'Select all shown' }).click();
  await apply.getByRole('button', { name: 'Preview' }).click();
  const preview = apply.getByTestId('preview-row');
  await expect(preview).toHaveCount(3);
  await expect(preview.filter({ hasText: 'Alpha' })).toContainText('Left alone on the Standard tier: Password auditing');
  await expect(preview.filter({ hasText: 'Alpha' }).getByTestId('policy-diff')).toHaveCount(2);
  await expect(preview.filter({ hasText: 'Charlie' }).getByTestId('policy-diff')).toHaveCount(3);
  await apply.getByRole('button', { name: 'Apply to 3 companies' }).click();
  await expect(page.getByTestId('no-drift')).toBeVisible();
  await expect(templates.getByRole('row').filter({ hasText: 'Baseline' }).locator('td').nth(1)).toHaveText('3');

  // Someone changes Bravo by hand, in its admin view.
  await page.getByRole('navigation', { name: 'Partner' }).getByRole('link', { name: 'Companies' }).click();
  await page.getByTestId('company-row').filter({ hasText: 'Bravo' }).getByRole('link').click();
  await page.getByRole('navigation', { name: 'Company admin' }).getByRole('link', { name: 'Policies' }).click();
  const form = page.getByTestId('policies-form');
  await expect(form.getByTestId('policy-template')).toContainText('Baseline');
  await form.getByTestId('policy-disable_sharing').getByRole('checkbox').check();
  await form.getByRole('button', { name: 'Save 1 change' }).click();
  await expect(form.getByTestId('policies-notice')).toContainText('Saved');

  // The drift report shows exactly that; reconcile removes it.
  await page.goBack();
  await page.goBack();
  await page.getByRole('navigation', { name: 'Partner' }).getByRole('link', { name: 'Policies' }).click();
  const drift = page.getByTestId('drift-row');
  await expect(drift).toHaveCount(1);
  await expect(drift).toContainText('Bravo');
  await expect(drift.getByTestId('policy-diff')).toHaveCount(1);
  await expect(drift.getByTestId('policy-diff')).toHaveText('Disable sharing: on here, template says off');
  await drift.getByRole('button', { name: 'Reconcile' }).click();
  await expect(page.getByTestId('templates-notice')).toContainText('1 company matches its template again');
  await expect(page.getByTestId('no-drift')).toBeVisible();
});
