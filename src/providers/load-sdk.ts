/**
 * Lazy loading of optional provider SDKs. Every SDK is an optional peer
 * dependency: a host installs only the ones its tenants use, so nothing is
 * imported until a client is built, and a missing package becomes one typed
 * error that names what to install.
 *
 * @module
 */
import { ProviderError } from '../errors.js';

/** Node's codes for an import or require of a package that is not installed. */
const NOT_FOUND_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

/**
 * True when `error` says that `packageName` itself is not installed. A package
 * that is installed but misses one of its own dependencies names that other
 * package, and is not reported as missing (reinstalling the SDK would not help
 * the way the message suggests).
 */
function isPackageMissing(error: unknown, packageName: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !NOT_FOUND_CODES.has(code) || typeof message !== 'string') return false;
  return (
    message.includes(`'${packageName}'`) ||
    message.includes(`"${packageName}"`) ||
    message.includes(`'${packageName}/`) ||
    message.includes(`"${packageName}/`)
  );
}

/**
 * Runs `load` (a dynamic `import()` of `packageName`) and turns "package not
 * installed" into a `PROVIDER_SDK_MISSING` {@link ProviderError} naming the
 * package. Host descriptors for their own optional SDKs can use it too.
 *
 * The import must stay a literal `import('pkg')` inside `load` so bundlers see
 * the optional dependency and keep it external.
 *
 * @example
 * ```ts
 * const { ElevenLabsClient } = await loadSdk('@elevenlabs/elevenlabs-js', () => import('@elevenlabs/elevenlabs-js'));
 * ```
 */
export async function loadSdk<Module>(packageName: string, load: () => Promise<Module>): Promise<Module> {
  try {
    return await load();
  } catch (error) {
    if (isPackageMissing(error, packageName)) {
      throw new ProviderError(
        'PROVIDER_SDK_MISSING',
        `[byokit] [providers] the "${packageName}" package is not installed; install it (npm install ${packageName}) to build this provider's client`,
      );
    }
    throw error;
  }
}
