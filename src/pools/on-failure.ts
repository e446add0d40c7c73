/**
 * The choices of `withKey`'s `onFailure`, in a module of their own so the
 * schemas and the option checks read them without loading `withKey`.
 *
 * @module
 */

/**
 * What `withKey` does when every key of the pool failed: `'fail'` throws the
 * last error, `'platform'` makes one more call with the platform key.
 */
export const WITH_KEY_ON_FAILURE = ['fail', 'platform'] as const;

/** One of {@link WITH_KEY_ON_FAILURE}. */
export type WithKeyOnFailure = (typeof WITH_KEY_ON_FAILURE)[number];
