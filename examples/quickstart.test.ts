import { describe, expect, it } from 'vitest';
import { runQuickstart } from './quickstart.js';

describe.each(['memory', 'sqlite'] as const)('the quickstart on the %s store', (store) => {
  it('resolves each tenant key, calls the local server with it, and falls back after disabling', async () => {
    const lines: string[] = [];
    await runQuickstart({ store, log: (line) => lines.push(line) });
    const output = lines.join('\n');
    expect(lines[0]).toBe(`store: ${store}`);
    expect(output).toContain('acme: source=byok key=sk-proj-...ac7Q config=prod');
    expect(output).toContain('acme: Hello from the local server, paid for by "acme".');
    expect(output).toContain('globex: Hello from the local server, paid for by "globex".');
    expect(output).toContain('trace=[byok(prod):skipped:disabled → platform:selected]');
    expect(output).toContain('paid for by "the platform"');
    expect(output).toContain('usage: acme/byok, globex/byok, acme/platform');
    // The quickstart prints hints only, never a key.
    expect(output).not.toMatch(/ACME0000|GLOBEX000|SHARED000/);
  });
});
