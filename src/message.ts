/**
 * byokit's messages name their component: `[byokit] [vault] name is taken`.
 * One helper writes that prefix, so it is spelled one way everywhere and a
 * log search for `[byokit] [store]`-style tags always finds them. Imports
 * nothing: every layer uses it.
 *
 * @module
 */

/** The components a message can come from. */
export const MESSAGE_COMPONENTS = [
  'vault',
  'providers',
  'crypto',
  'keyring',
  'secret',
  'net',
  'resolve',
  'access',
  'pools',
  'ai-sdk',
  'memory',
  'sqlite',
  'postgres',
  'redis',
  'testing',
] as const;

/** One of {@link MESSAGE_COMPONENTS}. */
export type MessageComponent = (typeof MESSAGE_COMPONENTS)[number];

/** `text` with the component's prefix: `[byokit] [<component>] <text>`. */
export function byokitMessage(component: MessageComponent, text: string): string {
  return storeMessage(component, text);
}

/**
 * `text` with a storage adapter's prefix: `[byokit] [<store>] <text>`, for
 * adapters outside byokit, whose names the component list can't know.
 */
export function storeMessage(store: string, text: string): string {
  return `[byokit] [${store}] ${text}`;
}

/** Any component's or store's name: `storeMessage` takes names byokit does not know. */
const PREFIX = /^\[byokit\] \[[^\]\s]+\] /;

/** A message without its `[byokit] [<component>] ` prefix, for details shown inside another message. */
export function withoutMessagePrefix(message: string): string {
  return message.replace(PREFIX, '');
}
