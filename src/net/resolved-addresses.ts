/**
 * Checking what a host name resolves to. On Node the check runs inside the
 * connection itself (a `lookup` hook of an undici `Agent`), so the address
 * checked is the address connected to: DNS rebinding can't swap in
 * 127.0.0.1 between a check and the connect. Elsewhere with a DNS module
 * (Bun, Deno, or a host's own `fetch` on Node) the addresses are checked
 * just before the request. Without DNS (browsers, edge workers) only the
 * literal host is checked.
 *
 * undici is loaded lazily, by a computed specifier, and only on Node, so a
 * browser or worker bundle never reaches it.
 *
 * @module
 */
import { NetworkError } from '../errors.js';
import { normalizeHost } from './address-class.js';
import type { AddressRule, Refusal } from './address-rule.js';
import { parseIpLiteral } from './ip-address.js';
import { byokitMessage } from '../message.js';

/** One resolved address, as `dns.lookup(..., { all: true })` gives it. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses (`dns.lookup` with `all: true`). */
export type LookupAll = (
  hostname: string,
  callback: (error: Error | null, addresses: ResolvedAddress[]) => void,
) => void;

interface NodeDns {
  lookup(
    hostname: string,
    options: { all: true; family?: number; hints?: number },
    callback: (error: Error | null, addresses: ResolvedAddress[]) => void,
  ): void;
}

interface ProcessLike {
  versions?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}

function processObject(): ProcessLike | undefined {
  return (globalThis as { process?: ProcessLike }).process;
}

/** True on Node itself (not Bun or Deno, whose `fetch` takes no undici dispatcher). */
export function isNode(): boolean {
  const versions = processObject()?.versions;
  return typeof versions?.node === 'string' && versions.bun === undefined && !('Deno' in globalThis);
}

/** The runtime's `dns.lookup` (all addresses), or `null` where there is no DNS module. */
export function systemLookupAll(): LookupAll | null {
  let dns: NodeDns | undefined;
  try {
    dns = processObject()?.getBuiltinModule?.('node:dns') as NodeDns | undefined;
  } catch {
    dns = undefined;
  }
  if (!dns || typeof dns.lookup !== 'function') return null;
  return (hostname, callback) => dns.lookup(hostname, { all: true }, callback);
}

/** The typed refusal for a request to `origin`. */
export function endpointRefused(origin: string, reason: string): NetworkError {
  return new NetworkError(
    'ENDPOINT_REFUSED',
    byokitMessage(
      'net',
      `refused to send a request to ${origin}: ${reason}${reason.includes('address') ? '; self-hosted endpoints need the allowPrivateEndpoints opt-in' : ''}`,
    ),
  );
}

/** The host each connect-time refusal was for: a host other than the request's means the host's fetch followed a redirect. */
const refusedHosts = new WeakMap<NetworkError, string>();

/** A connection refused at connect time, remembering its host. */
function connectionRefused(host: string, reason: string): NetworkError {
  const error = endpointRefused(`the host ${host}`, reason);
  refusedHosts.set(error, normalizeHost(host));
  return error;
}

/** The host a connect-time refusal was for (normalised), else `undefined`. */
export function refusedConnectionHost(error: NetworkError): string | undefined {
  return refusedHosts.get(error);
}

/** Why a lookup failed, for the host's eyes (the tenant's result says no more than "not allowed"). */
function unresolved(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return `the host name could not be resolved${typeof code === 'string' ? ` (${code})` : ''}`;
}

/** The first refused address among `addresses`, as a reason. */
function firstRefusal(rule: AddressRule, hostname: string, addresses: readonly ResolvedAddress[]): Refusal {
  if (addresses.length === 0) return 'the host name resolved to no address';
  for (const { address } of addresses) {
    const refusal = rule.checkResolved(hostname, address);
    if (refusal !== null) return `the host name resolves to ${refusal}`;
  }
  return null;
}

/**
 * Resolves `hostname` now and checks every address; `null` when all pass.
 * A name that does not resolve is refused (fails closed): the request
 * would resolve it again, and a DNS server that fails the check's query
 * could answer the next one with an internal address.
 */
export function checkResolvedNow(rule: AddressRule, hostname: string, lookupAll: LookupAll): Promise<Refusal> {
  return new Promise((resolve) => {
    lookupAll(hostname, (error, addresses) =>
      resolve(error ? unresolved(error) : firstRefusal(rule, hostname, addresses)),
    );
  });
}

type LookupCallback = (error: Error | null, address: string | ResolvedAddress[], family?: number) => void;

/**
 * A `lookup` for `net.connect` that resolves all addresses, refuses the
 * connection if any of them is refused, and otherwise answers in the form
 * asked (one address, or all with `options.all`).
 */
function guardedLookup(rule: AddressRule, lookupAll: LookupAll) {
  return (hostname: string, options: number | { all?: boolean; family?: number }, callback: LookupCallback): void => {
    const wantsAll = typeof options === 'object' && options !== null && options.all === true;
    const family = typeof options === 'number' ? options : options?.family;
    lookupAll(hostname, (error, resolved) => {
      const addresses = error
        ? []
        : family === 4 || family === 6
          ? resolved.filter((entry) => entry.family === family)
          : resolved;
      const refusal = error ? unresolved(error) : firstRefusal(rule, hostname, addresses);
      if (refusal !== null) return callback(connectionRefused(hostname, refusal), wantsAll ? [] : '');
      if (wantsAll) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** What undici's connector is asked to connect to. */
interface ConnectOptions {
  hostname: string;
}
type Connector = (options: ConnectOptions, callback: (error: Error | null, socket: unknown) => void) => void;

/** The parts of undici byokit uses. */
export interface UndiciModule {
  Agent: new (options: { connect: Connector }) => object;
  buildConnector(options: { lookup: ReturnType<typeof guardedLookup> }): Connector;
  WebSocket: new (url: string, init: { headers: Record<string, string>; dispatcher?: object }) => WebSocket;
}

/** undici, by a computed specifier (bundles for browsers and workers never reach it), or `null`. */
export async function loadUndici(): Promise<UndiciModule | null> {
  const specifier = 'undici';
  try {
    return (await import(/* @vite-ignore */ specifier)) as UndiciModule;
  } catch {
    return null;
  }
}

/** One connection pool per address rule: equal opt-ins share their sockets. */
const dispatchers = new Map<string, Promise<object | null>>();

/** Where undici (Node's and the package's) keeps the process-wide dispatcher. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * True when the host replaced Node's default dispatcher, e.g. with a
 * `ProxyAgent` or `EnvHttpProxyAgent` for its egress proxy: a dispatcher of
 * ours would route around it, so byokit leaves it in place.
 */
function hostSetGlobalDispatcher(): boolean {
  const current = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
  return typeof current === 'object' && current !== null && current.constructor?.name !== 'Agent';
}

/**
 * An undici dispatcher (for `fetch`'s `dispatcher` option) whose
 * connections check every resolved address, and every IP-literal host,
 * against `rule` (a name that does not resolve is refused too); `null` off
 * Node, when undici can't be loaded, or when the host set its own global
 * dispatcher (an egress proxy), where addresses are checked before the
 * request instead. `lookupAll` replaces DNS (tests).
 */
export function connectTimeDispatcher(rule: AddressRule, lookupAll?: LookupAll): Promise<object | null> {
  if (!isNode() || hostSetGlobalDispatcher()) return Promise.resolve(null);
  const create = async (): Promise<object | null> => {
    const undici = await loadUndici();
    const lookup = lookupAll ?? systemLookupAll();
    if (!undici || !lookup) return null;
    const connector = undici.buildConnector({ lookup: guardedLookup(rule, lookup) });
    // net.connect never calls `lookup` for an IP literal: check those here, so that every
    // connection made through this dispatcher is checked (a host's fetch following a redirect too).
    const connect: Connector = (options, callback) => {
      const host = normalizeHost(options.hostname);
      const refusal = parseIpLiteral(host) ? rule.checkResolved(host, host) : null;
      if (refusal !== null) return callback(connectionRefused(options.hostname, refusal), null);
      connector(options, callback);
    };
    return new undici.Agent({ connect });
  };
  if (lookupAll) return create();
  let cached = dispatchers.get(rule.key);
  if (!cached) {
    cached = create();
    dispatchers.set(rule.key, cached);
  }
  return cached;
}
