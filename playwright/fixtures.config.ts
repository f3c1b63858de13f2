// Makes the fixtures of the upgrade spec with a previous release's build: run once per release
// whose data must keep working, with that release's server and web app, e.g.
//   STRONGROOM_BIN=/path/to/old/strongroom STRONGROOM_E2E_DIST=/path/to/old/dist \
//     npx playwright test -c fixtures.config.ts
// It writes fixtures/previous-release/ (see its README.md).
import base from './playwright.config';
import { defineConfig } from '@playwright/test';

export default defineConfig({
  ...base,
  testDir: './fixtures',
  timeout: 120_000,
});
