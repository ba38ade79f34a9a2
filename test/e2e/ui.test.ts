import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../server/config.ts';
import { type AgentProcess, startAgentProcess, writeAgentConfig } from '../helpers/agent-process.ts';
import { injectAsAdmin, TEST_ADMIN_PASSWORD, userWithToken } from '../helpers/auth.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { baseUrl, startTestApp, type TestApp } from '../helpers/test-app.ts';

// The real UI, built from web/ by Vite, served by the real server, driven in
// Debian's Chromium through playwright-core; two real agents beat for ui-1 and ui-2.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(packageRoot, 'test-results', 'screenshots');

describe('the web UI in a real browser', () => {
  const temp = makeTempDir('switchyard-ui-');
  let t: TestApp;
  let url = '';
  let browser: Browser;
  const agents: Record<string, AgentProcess> = {};
  const consoleErrors: string[] = [];

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
    return page;
  }

  async function login(page: Page, name: string, password: string) {
    await page.goto(url);
    await page.getByLabel('User name').fill(name);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'main' }).waitFor();
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const webDir = join(temp.path, 'web');
    await build({
      configFile: join(packageRoot, 'web/vite.config.ts'),
      logLevel: 'error',
      build: { outDir: webDir, emptyOutDir: true },
    });
    t = await startTestApp({ SWITCHYARD_WEB_DIR: webDir }, { listen: true, dir: join(temp.path, 'server') });
    url = baseUrl(t.app);
    for (const name of ['ui-1', 'ui-2']) {
      const r = await injectAsAdmin(t.app, {
        method: 'POST',
        url: '/api/v1/nodes',
        payload: { name, address: '127.0.0.1' },
      });
      const config = writeAgentConfig(
        temp.path,
        {
          server: url,
          token: r.json().token,
          intervalMs: 200,
          stateDir: join(temp.path, `${name}-state`),
          hooks: {
            promote: { command: 'true', timeoutMs: 5000 },
            demote: { command: 'true', timeoutMs: 5000 },
          },
          reconnect: { baseMs: 100, maxMs: 1000, stableAfterMs: 5000 },
          logLevel: 'warn',
        },
        `${name}.json`,
      );
      agents[name] = startAgentProcess(config);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(Object.values(agents).map((a) => a.stop('SIGKILL')));
    await t?.app.close();
    temp.cleanup();
  });

  it('logs in, links a pair with a wizard that refuses an invalid threshold, and watches a failover live', async () => {
    const page = await newPage();
    await page.goto(url);
    await shot(page, '01-login');
    // a wrong password says so
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong user name or password' }).waitFor();
    consoleErrors.length = 0; // the browser logs the 401 of that refused login itself
    await login(page, 'admin', TEST_ADMIN_PASSWORD);

    await page.getByRole('button', { name: 'Link HA pair' }).click();
    await page.getByLabel('Pair name').fill('web-orders');
    await page.getByLabel('Primary node').selectOption({ label: 'ui-1 (127.0.0.1)' });
    await page.getByLabel('Secondary node').selectOption({ label: 'ui-2 (127.0.0.1)' });
    await shot(page, '02-link-wizard');
    await page.getByRole('button', { name: 'Next: thresholds' }).click();

    // 3 × 1 s for Up and Down, both roles; DownHeartbeat every 1 s
    const fieldsets = page.locator('fieldset');
    for (const i of [0, 1]) {
      const f = fieldsets.nth(i);
      for (const label of ['Up beats', 'Down beats']) await f.getByLabel(label).fill('3');
      for (const label of ['Up interval (s)', 'Down interval (s)', 'Down-Heartbeat interval (s)'])
        await f.getByLabel(label).fill('1');
    }
    // one invalid value: refused with the reason, and the pair cannot be linked
    const activeDown = fieldsets.nth(0).getByLabel('Down interval (s)');
    await activeDown.fill('0.05');
    await page.getByRole('alert').filter({ hasText: 'Down: the interval must be at least 100 ms' }).waitFor();
    expect(await page.getByRole('button', { name: 'Link the pair' }).isDisabled()).toBe(true);
    await shot(page, '03-thresholds-invalid');
    await activeDown.fill('1');
    await page.getByText('Down after 3 × 1 s = 3 s').first().waitFor();
    await page.getByRole('button', { name: 'Link the pair' }).click();

    await page.getByRole('heading', { name: 'Pair web-orders' }).waitFor();
    await page.getByRole('button', { name: 'Enable auto-failover' }).click();
    await page.getByRole('status').filter({ hasText: 'auto-failover enabled' }).waitFor();

    await page.getByRole('link', { name: 'Pairs', exact: true }).click();
    const card = page.getByTestId('pair-web-orders');
    await card.getByTestId('pair-state').filter({ hasText: 'normal' }).waitFor({ timeout: 20_000 });
    await shot(page, '04-dashboard-normal');

    // the active node's agent dies: the dashboard shows Down, then the failover — no reload
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    await agents['ui-1']?.stop('SIGKILL');
    await card.getByTestId('verdict-ui-1').filter({ hasText: 'Down' }).waitFor({ timeout: 20_000 });
    await card.getByTestId('active-node').filter({ hasText: 'ui-2' }).waitFor({ timeout: 20_000 });
    await card.getByTestId('pair-state').filter({ hasText: 'failed over' }).waitFor({ timeout: 20_000 });
    expect(navigations).toEqual([]);
    await shot(page, '05-dashboard-failed-over');

    await card.getByRole('link', { name: 'web-orders' }).click();
    await page.getByText('failover completed: ui-2 is active').waitFor();
    await page
      .getByText(/^failover ui-1 → ui-2: active node ui-1 is Down/)
      .first()
      .waitFor();
    await shot(page, '06-pair-timeline');
  }, 120_000);

  it('acknowledges an alert with a comment', async () => {
    const page = await newPage();
    await login(page, 'admin', TEST_ADMIN_PASSWORD);
    await page.getByRole('link', { name: /Alerts/ }).click();
    const nodeDown = page.locator('li.card').filter({ hasText: 'node-down' }).first();
    await nodeDown.waitFor();
    await shot(page, '07-alerts');
    await nodeDown.getByRole('button', { name: 'Acknowledge' }).click();
    const dialog = page.getByRole('dialog', { name: 'Acknowledge alert' });
    await dialog.getByLabel('Comment').fill('ui-1 was killed on purpose by the UI test');
    await dialog.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText('acknowledged by admin').first().waitFor();
    await page.getByText('“ui-1 was killed on purpose by the UI test”').waitFor();
    const alerts = (await injectAsAdmin(t.app, { url: '/api/v1/alerts?state=all' })).json().alerts;
    expect(
      alerts.find(
        (a: { ack: { comment: string } | null }) => a.ack?.comment === 'ui-1 was killed on purpose by the UI test',
      ),
    ).toBeDefined();
  }, 60_000);

  it('re-enabling after a failover asks for the acknowledgement, with a reason and a heartbeat chart', async () => {
    const page = await newPage();
    await login(page, 'admin', TEST_ADMIN_PASSWORD);
    await page.getByTestId('pair-web-orders').getByRole('link', { name: 'web-orders' }).click();
    await page.getByRole('button', { name: 'Enable auto-failover' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-enable auto-failover' });
    await dialog.getByRole('img', { name: /heartbeat health of ui-1 and ui-2/ }).waitFor();
    expect(await dialog.getByRole('button', { name: 'Acknowledge and re-enable' }).isDisabled()).toBe(true);
    await shot(page, '08-reenable-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  }, 60_000);

  it('a viewer sees the pair but is offered no switchover', async () => {
    await userWithToken(t.app, 'vera', 'viewer');
    const page = await newPage();
    await login(page, 'vera', 'vera-password-123');
    await page.getByTestId('pair-web-orders').getByRole('link', { name: 'web-orders' }).click();
    await page.getByRole('heading', { name: 'Pair web-orders' }).waitFor();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    expect(await page.getByRole('button', { name: /Switch over/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /auto-failover/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Link HA pair' }).count()).toBe(0);
    await shot(page, '09-viewer-pair');
  }, 60_000);

  it('the other pages render for an admin, keyboard first', async () => {
    const page = await newPage();
    await login(page, 'admin', TEST_ADMIN_PASSWORD);
    for (const [link, heading, file] of [
      ['Nodes', 'Nodes', '10-nodes'],
      ['Destinations', 'Destinations', '11-destinations'],
      ['Users', 'Users and API tokens', '12-users'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await shot(page, file);
    }
    // a NOC wall display: the same dashboard at 4K
    await page.setViewportSize({ width: 3840, height: 2160 });
    await page.getByRole('link', { name: 'Pairs', exact: true }).click();
    await page.getByTestId('pair-web-orders').waitFor();
    await page.screenshot({ path: join(SHOTS, '13-dashboard-wall.png') });
  }, 60_000);

  it('logged no console errors on any page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
