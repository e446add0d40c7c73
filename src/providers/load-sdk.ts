/**
 * Lazy loading of optional provider SDKs. Every SDK is an optional peer
 * dependency: a host installs only the ones its tenants use, so nothing is
 * imported until a client is built, and a missing package becomes one typed
 * error that names what to install.
 *
 * The built-in descriptors import their SDK by a specifier that bundlers do
 * not follow (as the SQLite adapter does with its drivers): a bundle of
 * `byokit` needs no SDK installed and contains none, and Node, Bun and Deno
 * load the SDK from `node_modules` at run time. A runtime that can't import
 * packages at run time (a bundled Cloudflare Worker, a browser) gets the SDK
 * from the host instead, through {@link provideSdk}.
 *
 * @module
 */
import { ProviderError, ValidationError } from '../errors.js';
import { importAtRunTime, provideModule, providedModule } from '../runtime-modules.js';
import { byokitMessage } from '../message.js';

/** Node's codes for an import or require of a package that is not installed. */
const NOT_FOUND_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);
/** How runtimes without those codes say a module can't be found (workerd, Deno, Bun, browsers). */
const NOT_FOUND_MESSAGES =
  /no such module|cannot find (?:module|package)|failed to resolve module specifier|module not found|could not resolve/i;

/**
 * True when `error` says that `packageName` itself is not installed. A package
 * that is installed but misses one of its own dependencies names that other
 * package, and is not reported as missing (reinstalling the SDK would not help
 * the way the message suggests).
 */
function isPackageMissing(error: unknown, packageName: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return false;
  const saysNotFound = typeof code === 'string' ? NOT_FOUND_CODES.has(code) : NOT_FOUND_MESSAGES.test(message);
  if (!saysNotFound) return false;
  return [`'${packageName}'`, `"${packageName}"`, `'${packageName}/`, `"${packageName}/`].some((quoted) =>
    message.includes(quoted),
  );
}

/**
 * Hands byokit an SDK module it should use instead of importing the package
 * itself. Needed only where packages can't be imported at run time: a
 * Cloudflare Worker or a browser bundle, where the bundler must see the
 * SDK's import in your code to include it. Node, Bun and Deno don't need it.
 * Provide the whole module namespace; a later call replaces an earlier one.
 * The same goes for byokit's pure-JavaScript crypto fallback, which only a
 * runtime with neither `node:crypto` nor WebCrypto needs: provide
 * `'@noble/ciphers/aes.js'`, `'@noble/hashes/hkdf.js'` and
 * `'@noble/hashes/sha2.js'` there.
 *
 * @example
 * ```ts
 * import * as openai from 'openai';
 * import { provideSdk } from 'byokit';
 *
 * provideSdk('openai', openai); // createClient(r, 'openai') and validateKey now use this module
 * ```
 */
export function provideSdk(packageName: string, sdk: object): void {
  if (
    typeof packageName !== 'string' ||
    packageName.length === 0 ||
    sdk === null ||
    (typeof sdk !== 'object' && typeof sdk !== 'function')
  ) {
    const message = 'provideSdk(packageName, module) takes a package name and its module namespace';
    throw new ValidationError(byokitMessage('providers', `${message}`), [{ path: 'provideSdk', message }]);
  }
  provideModule(packageName, sdk);
}

/**
 * Loads an optional SDK and turns "package not installed" into a
 * `PROVIDER_SDK_MISSING` {@link ProviderError} naming the package. A module
 * given to {@link provideSdk} wins; else `load` runs, or, without `load`, the
 * package is imported at run time by a specifier bundlers don't follow.
 * Host descriptors for their own optional SDKs can use it too: pass
 * `() => import('pkg')` as `load` when your bundler should include the SDK,
 * or leave it out to keep the SDK out of your bundle.
 *
 * @example
 * ```ts
 * const { ElevenLabsClient } = await loadSdk<typeof import('@elevenlabs/elevenlabs-js')>('@elevenlabs/elevenlabs-js');
 * ```
 */
export async function loadSdk<Module>(packageName: string, load?: () => Promise<Module>): Promise<Module> {
  const given = providedModule(packageName);
  if (given) return given.module as Module;
  try {
    return load ? await load() : ((await importAtRunTime(packageName)) as Module);
  } catch (error) {
    if (isPackageMissing(error, packageName)) {
      throw new ProviderError(
        'PROVIDER_SDK_MISSING',
        byokitMessage(
          'providers',
          `the "${packageName}" package is not installed; install it (npm install ${packageName}) to build this provider's client. `,
        ) +
          `Where packages can't be imported at run time (a bundled worker, a browser), import it yourself and pass it to provideSdk("${packageName}", module)`,
      );
    }
    throw error;
  }
}
