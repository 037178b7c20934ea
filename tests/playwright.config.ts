import { defineConfig } from '@playwright/test';

// Browser tests: Debian's Chromium (never a downloaded browser) against the real local stack,
// backend and frontend started by setup.sh in browser/global-setup.ts.
export default defineConfig({
  testDir: './browser',
  workers: 1,
  timeout: 60_000,
  reporter: [['list'], ['json', { outputFile: '../test-results/browser.json' }]],
  globalSetup: './browser/global-setup.ts',
  use: {
    baseURL: 'http://localhost:13000',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
