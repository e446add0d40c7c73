import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod/mini';
import {
  createConfigInputSchema,
  listConfigsInputSchema,
  parseInput,
  updateConfigInputSchema,
} from '../../src/vault/schemas.js';
import { ValidationError } from '../../src/errors.js';

describe('exported schemas, as a host uses them', () => {
  it('safeParse applies the defaults and infers the parsed type', () => {
    const result = createConfigInputSchema.safeParse({ name: 'prod', provider: 'openai' });
    expect(result.success).toBe(true);
    expect(result.data).toEqual({
      name: 'prod',
      provider: 'openai',
      scope: '',
      model: null,
      baseUrl: null,
      routes: [],
      options: {},
      enabled: true,
      isDefault: false,
    });
    type Parsed = z.infer<typeof createConfigInputSchema>;
    expectTypeOf<Parsed['model']>().toEqualTypeOf<string | null>();
    expectTypeOf<z.input<typeof createConfigInputSchema>['scope']>().toEqualTypeOf<string | undefined>();
  });

  it('gives fresh default arrays and objects on every parse', () => {
    const a = createConfigInputSchema.parse({ name: 'a', provider: 'openai' });
    const b = createConfigInputSchema.parse({ name: 'b', provider: 'openai' });
    expect(a.routes).not.toBe(b.routes);
    expect(a.options).not.toBe(b.options);
  });

  it('keeps unknown fields out, also in the partial update schema', () => {
    expect(createConfigInputSchema.safeParse({ name: 'x', provider: 'openai', apiKey: 'sk-x' }).success).toBe(false);
    expect(updateConfigInputSchema.safeParse({ apiKey: 'sk-x' }).success).toBe(false);
    expect(updateConfigInputSchema.safeParse({}).success).toBe(true);
  });

  it('can be extended with the zod/mini functions', () => {
    const withTeam = z.extend(createConfigInputSchema, { team: z.string() });
    expect(withTeam.safeParse({ name: 'x', provider: 'openai', team: 'core' }).success).toBe(true);
    expect(withTeam.safeParse({ name: 'x', provider: 'openai' }).success).toBe(false);
  });
});

describe('parseInput messages', () => {
  function issuesOf(run: () => unknown): readonly { path: string; message: string }[] {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues;
    }
    throw new Error('expected a ValidationError');
  }

  it('names the rule in plain English, whatever zod locale is loaded', () => {
    const issues = issuesOf(() =>
      parseInput(createConfigInputSchema, { name: '', provider: 42, enabled: 'yes' }, 'config'),
    );
    expect(issues).toEqual([
      { path: 'name', message: 'must have at least 1 character' },
      { path: 'provider', message: 'must be a string' },
      { path: 'enabled', message: 'must be a boolean' },
    ]);
  });

  it('says required, integer and range limits', () => {
    expect(issuesOf(() => parseInput(createConfigInputSchema, { provider: 'openai' }, 'config'))).toEqual([
      { path: 'name', message: 'required' },
    ]);
    expect(issuesOf(() => parseInput(listConfigsInputSchema, { limit: 1.5 }, 'query'))).toEqual([
      { path: 'limit', message: 'must be an integer' },
    ]);
    expect(issuesOf(() => parseInput(listConfigsInputSchema, { limit: 501 }, 'query'))).toEqual([
      { path: 'limit', message: 'must be <= 500' },
    ]);
  });

  it('never echoes the input', () => {
    const secret = 'sk-proj-SCHEMAcanary0000000000000000001';
    const issues = issuesOf(() =>
      parseInput(
        createConfigInputSchema,
        { name: secret.padEnd(200, 'x'), provider: secret, baseUrl: secret },
        'config',
      ),
    );
    expect(JSON.stringify(issues)).not.toContain('SCHEMAcanary');
  });
});
