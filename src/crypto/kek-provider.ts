/**
 * The key-encryption-key interface. The local {@link Keyring} is the first
 * implementation; a cloud KMS or Vault transit can hold the KEK instead by
 * implementing the same three members.
 *
 * @module
 */

/** Wraps and unwraps data keys. Implementations never expose KEK bytes. */
export interface KekProvider {
  /** Id of the KEK new seals use. Short: `[A-Za-z0-9_-]{1,32}`. */
  readonly primaryKekId: string;
  /**
   * Whether `kekId` can still unwrap. Used to show a key as
   * `undecryptable` without trying to open it. A remote provider that
   * can't tell cheaply returns `true`.
   */
  hasKek(kekId: string): boolean;
  /**
   * Encrypts `dek` under KEK `kekId`, binding `aad`. The result is opaque
   * bytes stored in the sealed value.
   */
  wrapDek(request: { kekId: string; dek: Uint8Array; aad: Uint8Array }): Promise<Uint8Array>;
  /**
   * Reverses {@link KekProvider.wrapDek}. Throws on any failure (wrong KEK,
   * tampered bytes, different aad); callers treat every throw alike.
   */
  unwrapDek(request: { kekId: string; wrapped: Uint8Array; aad: Uint8Array }): Promise<Uint8Array>;
}
