/**
 * Calls to the host's optional hooks that must never break the operation
 * that triggered them.
 *
 * @module
 */
import type { HookName } from './options.js';

/**
 * Runs `hook(arg)` detached from the caller: a throw or a rejection goes to
 * `onError` (itself guarded), and a slow hook never delays the caller.
 */
export function callDetached<T>(
  hook: ((arg: T) => void | Promise<void>) | undefined,
  arg: T,
  name: HookName,
  onError: ((error: unknown, hook: HookName) => void) | undefined,
): void {
  if (!hook) return;
  const report = (error: unknown) => reportHookError(onError, error, name);
  try {
    const result = hook(arg);
    if (result && typeof (result as Promise<void>).then === 'function')
      (result as Promise<void>).then(undefined, report);
  } catch (error) {
    report(error);
  }
}

/** Hands `error` to the host's `onHookError` (itself guarded: a reporter that throws has nowhere left to report to). */
export function reportHookError(
  onError: ((error: unknown, hook: HookName) => void) | undefined,
  error: unknown,
  name: HookName,
): void {
  try {
    onError?.(error, name);
  } catch {
    // Nothing left to report to.
  }
}
