// Bedrock request authentication, shared by both Bedrock APIs. With route options accessKeyId and
// secretAccessKey (and optional sessionToken) the request is SigV4-signed for service `bedrock`;
// otherwise a route apiKey is sent as a Bedrock API key (`Authorization: Bearer`). Credentials
// come from the route config only, never from fixtures, and are never logged.
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ProviderRoute } from '../types.ts';

type HttpRequest = Parameters<SignatureV4['presign']>[0];

/**
 * Returns `headers` plus the authentication headers for a POST of `body` to route.baseUrl + path.
 * The signature covers the exact host:port and path the request goes to (a base URL may carry a
 * path prefix, as the replay upstream's does).
 */
export async function authenticate(
  route: ProviderRoute,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<Record<string, string>> {
  const { accessKeyId, secretAccessKey, sessionToken } = route.options;
  if (accessKeyId && secretAccessKey) {
    const url = new URL(route.baseUrl + path);
    const signer = new SignatureV4({
      service: 'bedrock',
      region: regionOf(route, url),
      credentials: sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey },
      sha256: Sha256,
    });
    const request: HttpRequest = {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query: {},
      headers: { ...headers, host: url.host },
      body,
    };
    if (url.port !== '') request.port = Number(url.port);
    const signed = await signer.sign(request);
    return { ...signed.headers };
  }
  if (route.apiKey !== undefined && route.apiKey !== '') return { ...headers, authorization: `Bearer ${route.apiKey}` };
  throw new Error('a Bedrock route needs options.accessKeyId and options.secretAccessKey (SigV4), or apiKey (a Bedrock API key)');
}

/** options.region, else the region in a bedrock-runtime.<region>.amazonaws.com host. */
function regionOf(route: ProviderRoute, url: URL): string {
  const region = route.options['region'] ?? /^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1];
  if (!region) throw new Error(`a SigV4-signed Bedrock route needs options.region (the base URL ${url.host} does not name one)`);
  return region;
}

/** Fake SigV4 settings for harness runs against the replay upstream: not a real key. */
export const HARNESS_AWS_OPTIONS: Readonly<Record<string, string>> = {
  region: 'us-east-1',
  accessKeyId: 'AKIDSTREAMPROOFTEST',
  secretAccessKey: 'streamproof-fake-secret-not-a-real-key',
};
