/**
 * `npm run hub:screenshot`: writes docs/provider-hub.png, the page as a
 * tenant sees it after a few minutes of use. Starts the hub on a temporary
 * SQLite file, sets up two providers (OpenAI with a pool of two keys, one
 * cooling down) and workload routes through the admin API, and shoots the
 * page in headless Chromium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHub } from './hub.js';
import { launchChromium } from './browser.js';

const OUT = process.argv[2] ?? fileURLToPath(new URL('../../docs/provider-hub.png', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'provider-hub-shot-'));
const hub = await startHub({ env: { PORT: '0', HUB_DATA_DIR: dir }, log: () => {} });
const headers = (user: string, role: string) => ({
  'x-demo-tenant': 'acme',
  'x-demo-user': user,
  'x-demo-role': role,
  'content-type': 'application/json',
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  as = headers('alice', 'owner'),
): Promise<{ id: string }> {
  const response = await fetch(`${hub.url}/api${path}`, {
    method,
    headers: as,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
  return (response.status === 204 ? {} : await response.json()) as { id: string };
}

try {
  const openai = await call('POST', '/configs', { name: 'OpenAI', provider: 'openai', isDefault: true });
  await call('PUT', `/configs/${openai.id}/key`, { key: 'sk-demo-proj-4fQeT0000000000000000007xQ2' });
  await call('POST', `/configs/${openai.id}/validate`);
  // A second OpenAI key makes a pool; the stand-in rate-limits sk-demo-429 keys, so one of the
  // two round-robin test requests meets a 429, moves on, and leaves that key cooling down.
  const overflow = await call('POST', '/configs', { name: 'Overflow', provider: 'openai' });
  await call('PUT', `/configs/${overflow.id}/key`, { key: 'sk-demo-429-overflow000000000000000000009Kp4' });
  await call('PUT', '/pools/policy', { provider: 'openai', policy: 'round-robin' });
  await call('POST', '/test-request', { provider: 'openai' });
  await call('POST', '/test-request', { provider: 'openai' });
  await call('PUT', '/routes/embeddings', { configId: openai.id });
  await call('PUT', '/routes/batch', { configId: overflow.id });
  // A route whose config was deleted afterwards: the page marks it dangling.
  const old = await call('POST', '/configs', { name: 'Old import', provider: 'openai' });
  await call('PUT', '/routes/vision', { configId: old.id });
  await call('DELETE', `/configs/${old.id}`);
  const bob = headers('bob', 'admin');
  const anthropic = await call(
    'POST',
    '/configs',
    { name: 'Anthropic', provider: 'anthropic', model: 'claude-sonnet-4-5' },
    bob,
  );
  await call(
    'PUT',
    `/configs/${anthropic.id}/key`,
    { key: 'sk-ant-api03-demo00000000000000000000000000000000Lm3k' },
    bob,
  );
  await call('PUT', `/configs/${anthropic.id}/enabled`, { enabled: false }, bob);
  await hub.vault
    .as({ tenantId: 'acme', actor: { id: 'alice', role: 'owner' } })
    .createAccessKey({ name: 'Mobile app', providers: ['openai'] });
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // "last used" is written behind

  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(hub.url);
    await page.locator('[data-testid="route"]').waitFor();
    await page.locator('[data-testid="pool"]').waitFor();
    await page.locator('#audit-rows tr').first().waitFor();
    await page.screenshot({ path: OUT, fullPage: true });
    console.log(`wrote ${OUT}`);
  } finally {
    await browser.close();
  }
} finally {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
}
