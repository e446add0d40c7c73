/**
 * A Google service account's access token (OAuth 2.0 JWT bearer grant,
 * RFC 7523), signed with WebCrypto and requested through byokit's guarded
 * fetch, and an auth client in the shape the Google SDKs call
 * (`getRequestHeaders`, `projectId`): so `google-auth-library` never reads
 * the platform's Application Default Credentials, and the token request
 * passes the endpoint policy. Loaded on first use.
 *
 * @module
 */
import type { FetchFunction } from '../net/guarded-fetch.js';
import { cachedToken, requestToken } from './oauth-token.js';
import type { VertexCredential } from './vertex-credential.js';

/** The scope Vertex AI needs. */
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';

function base64url(bytes: Uint8Array | string): string {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  let binary = '';
  for (const byte of data) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The PKCS #8 bytes of a `-----BEGIN PRIVATE KEY-----` PEM. */
function pkcs8Of(pem: string): Uint8Array<ArrayBuffer> {
  const body = pem.replace(/-----(?:BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
}

/** A signed JWT asserting the service account, for `aud` (the token URI). */
export async function signedAssertion(
  account: VertexCredential['serviceAccount'],
  audience: string,
  nowSeconds: number,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    'pkcs8',
    pkcs8Of(account.private_key),
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const header = { alg: 'RS256', typ: 'JWT', ...(account.private_key_id ? { kid: account.private_key_id } : {}) };
  const claims = {
    iss: account.client_email,
    scope: CLOUD_PLATFORM,
    aud: audience,
    iat: nowSeconds,
    exp: nowSeconds + 3600,
  };
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, new TextEncoder().encode(unsigned));
  return `${unsigned}.${base64url(new Uint8Array(signature))}`;
}

/** What the Google SDKs call on an auth client (google-auth-library's `AuthClient`, the part they use). */
export interface ServiceAccountAuthClient {
  readonly projectId: string;
  getRequestHeaders(url?: string): Promise<Headers>;
  getAccessToken(): Promise<{ token: string }>;
}

/** An auth client for `credential` whose token requests go through `fetch`. */
export function serviceAccountAuthClient(
  credential: VertexCredential,
  project: string,
  fetch: FetchFunction,
): ServiceAccountAuthClient {
  const account = credential.serviceAccount;
  const tokenUri = account.token_uri ?? DEFAULT_TOKEN_URI;
  const token = cachedToken(async () =>
    requestToken(fetch, tokenUri, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: await signedAssertion(account, tokenUri, Math.floor(Date.now() / 1000)),
    }),
  );
  return {
    projectId: project,
    getRequestHeaders: async () => new Headers({ authorization: `Bearer ${await token()}` }),
    getAccessToken: async () => ({ token: await token() }),
  };
}
