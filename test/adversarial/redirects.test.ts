/**
 * Attack: an allowed endpoint answers 302 to an internal address. Followed,
 * the key's request reaches the internal service (Google's and Azure's key
 * headers travel along to the new origin) and the internal answer comes
 * back in `detail`. A request carrying a key never follows a redirect.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { json, startHostileServer, type HostileServer } from './hostile-server.js';
import { errorTexts, PROVIDER_TARGETS, TARGETS, tenantKeyFor } from './targets.js';

let front: HostileServer;
let internal: HostileServer;
beforeAll(async () => {
  internal = await startHostileServer((_req, res) =>
    json(res, 200, { object: 'list', data: [], models: [], secret: 'INTERNAL-SERVICE-ANSWER', candidates: [] }),
  );
  front = await startHostileServer();
});
afterAll(async () => {
  await front.close();
  await internal.close();
});
beforeEach(() => {
  front.hits.length = 0;
  internal.hits.length = 0;
});

describe.each([302, 307])('an endpoint that redirects (HTTP %i) to an internal address', (status) => {
  beforeEach(() => {
    front.handle((_req, res) => res.writeHead(status, { location: `${internal.url}/latest/meta-data/iam` }).end());
  });

  describe.each(PROVIDER_TARGETS.map((t) => [t.name, t] as const))('validateKey: %s', (_name, target) => {
    it('is refused with reason redirect_refused; the internal address is never reached', async () => {
      const { admin, config } = await tenantKeyFor(target, front.url);
      const result = await admin.validateKey(config.id);
      expect(front.hits.length).toBeGreaterThan(0);
      expect(internal.hits).toHaveLength(0);
      expect(result).toMatchObject({ status: 'unexpected', httpStatus: status, reason: 'redirect_refused' });
      expect(JSON.stringify(result)).not.toContain('INTERNAL-SERVICE-ANSWER');
      const [event] = (await admin.listAudit({ type: 'key.validated' })).items;
      expect(event?.detail).toMatchObject({ status: 'unexpected', reason: 'redirect_refused' });
    });
  });

  describe.each(TARGETS.filter((t) => t.guardedClient).map((t) => [t.name, t] as const))('a createClient client: %s', (_name, target) => {
    it('fails with REDIRECT_REFUSED; the internal address is never reached', async () => {
      const { vault } = await tenantKeyFor(target, front.url);
      const resolution = await vault.resolve({ tenantId: 'acme', provider: target.provider });
      const client = await createClient(resolution, { expect: target.expect, clientOptions: target.clientOptions });
      const error = await target.call(client).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).not.toBeNull();
      expect(front.hits.length).toBeGreaterThan(0);
      expect(internal.hits).toHaveLength(0);
      expect(errorTexts(error)).toContain('REDIRECT_REFUSED');
    });
  });
});
