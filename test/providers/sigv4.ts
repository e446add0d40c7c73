/**
 * An independent AWS Signature Version 4 check, from the spec (not from the
 * SDK): rebuilds the canonical request from what the server received and
 * recomputes the signature with the credential the tenant stored.
 */
import { createHash, createHmac } from 'node:crypto';
import type { RecordedRequest } from './fake-server.js';

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const uriEscape = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface SigV4Parts {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export function authorizationParts(request: RecordedRequest): SigV4Parts {
  const header = String(request.headers.authorization ?? '');
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      header,
    );
  if (!match) throw new Error(`not a SigV4 Authorization header: ${header.slice(0, 40)}`);
  return {
    accessKeyId: match[1]!,
    date: match[2]!,
    region: match[3]!,
    service: match[4]!,
    signedHeaders: match[5]!.split(';'),
    signature: match[6]!,
  };
}

/** The signature `secretAccessKey` gives the received request (non-S3 rules: the path's segments encoded once more). */
export function expectedSignature(request: RecordedRequest, secretAccessKey: string): string {
  const parts = authorizationParts(request);
  const [path, query = ''] = request.url.split('?') as [string, string?];
  const canonicalUri = path.split('/').map(uriEscape).join('/');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((pair) =>
      pair
        .split('=')
        .map((p) => uriEscape(decodeURIComponent(p)))
        .join('='),
    )
    .sort()
    .join('&');
  const canonicalHeaders = parts.signedHeaders
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const payloadHash = String(request.headers['x-amz-content-sha256'] ?? sha256(request.body));
  const canonicalRequest = [
    request.method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    parts.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const amzDate = String(request.headers['x-amz-date']);
  const scope = `${parts.date}/${parts.region}/${parts.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${secretAccessKey}`, parts.date);
  for (const part of [parts.region, parts.service, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}
