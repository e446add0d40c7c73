import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'providers/index': 'src/providers/index.ts',
    'testing/index': 'src/testing/index.ts',
    'adapters/sqlite/index': 'adapters/sqlite/index.ts',
    'adapters/postgres/index': 'adapters/postgres/index.ts',
    'adapters/redis/index': 'adapters/redis/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
});
