/**
 * Whether the tests run in CI, where an unreachable server must fail its
 * suite instead of skipping it. Any non-empty CI value but "false"/"0"
 * counts (runners set "true", "1" or their own name).
 */
export function isCI(value: string | undefined = process.env.CI): boolean {
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}
