// Browser benchmarks: they print numbers and assert nothing about time. Same server set-up as
// the tests. Run: npx playwright test -c bench.config.ts
import base from './playwright.config';
import { defineConfig } from '@playwright/test';

export default defineConfig({
  ...base,
  testDir: './bench',
  timeout: 300_000,
});
