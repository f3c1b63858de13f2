// End-to-end tests: Debian's Chromium (Playwright downloads no browser here) against the real
// server binary, serving the release build in dist/, on a fresh SQLite data folder per run.
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const port = Number(process.env.STRONGROOM_E2E_PORT ?? 8181);
const baseURL = `http://127.0.0.1:${port}`;
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
const binary = process.env.STRONGROOM_BIN ?? join(targetDir, 'debug', 'strongroom');
// The config is evaluated again in every worker; workers inherit the main process's environment,
// so the folder made first is the one the server and every spec use. The specs read its mail
// folder (lettre's file transport) for emailed codes.
const dataDir = process.env.STRONGROOM_E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'strongroom-e2e-'));
process.env.STRONGROOM_E2E_DATA_DIR = dataDir;

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  timeout: 60_000,
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    },
  },
  webServer: {
    // The log goes to a file in the data folder: the zero-plaintext spec reads it.
    command: `"${binary}" >> "${join(dataDir, 'server.log')}" 2>&1`,
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      STRONGROOM_BIND: `127.0.0.1:${port}`,
      STRONGROOM_DATA_DIR: dataDir,
      STRONGROOM_STATIC_DIR: process.env.STRONGROOM_E2E_DIST ?? join(root, 'dist'),
      STRONGROOM_LOG: 'info',
      // Every spec signs up and in from 127.0.0.1: scale the per-IP limits as an office behind
      // one address would. Per-account limits (which the specs check) are unchanged.
      STRONGROOM_IP_LIMIT_MULTIPLIER: '100',
    },
  },
});
