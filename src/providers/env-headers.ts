/**
 * Keeps headers from the platform's environment off tenant requests.
 *
 * openai and @anthropic-ai/sdk add every header listed in
 * `OPENAI_CUSTOM_HEADERS` / `ANTHROPIC_CUSTOM_HEADERS` to every request, after
 * the key's own header. A platform that puts a gateway secret there (e.g.
 * `Helicone-Auth`) would send it to a tenant's custom endpoint, and an
 * `Authorization` line would replace the tenant's key. Both SDKs drop a
 * header whose value is `null` in `defaultHeaders`, so each environment
 * header is nulled, except the key's own header, which is re-set to the key.
 *
 * @module
 */

/** Header names in an SDK custom-headers variable (`Name: value` lines), lower-cased. */
function envHeaderNames(variable: string): string[] {
  const raw = typeof process === 'object' ? process.env?.[variable] : undefined;
  if (!raw) return [];
  const names: string[] = [];
  for (const line of raw.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      const name = line.slice(0, colon).trim().toLowerCase();
      if (name) names.push(name);
    }
  }
  return names;
}

/**
 * `defaultHeaders` for an SDK client: the host's own default headers, with
 * every header named in `variable` neutralised (nulled, or set to the key's
 * value when it is the key's header). Returns the host's headers untouched
 * when the variable is unset.
 */
export function withoutEnvHeaders(
  variable: string,
  hostHeaders: unknown,
  keyHeader: readonly [name: string, value: string],
): Record<string, string | null> | undefined {
  const names = envHeaderNames(variable);
  if (names.length === 0) return hostHeaders as Record<string, string | null> | undefined;
  const merged: Record<string, string | null> = {};
  for (const name of names) merged[name] = null;
  if (hostHeaders !== undefined && hostHeaders !== null) {
    new Headers(hostHeaders as HeadersInit).forEach((value, name) => {
      merged[name] = value;
    });
  }
  const keyName = keyHeader[0].toLowerCase();
  if (names.includes(keyName)) merged[keyName] = keyHeader[1];
  return merged;
}
