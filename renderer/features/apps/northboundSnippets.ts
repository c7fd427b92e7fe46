// Copy-paste curl commands for the northbound API (POSIX shell): log in as an application, then call with the token.
import type { NorthboundEndpoint } from '../../../core/contract/index.js';

export const SECRET_PLACEHOLDER = '<appSecret>';
export const TOKEN_PLACEHOLDER = '<accessToken>';
export const LOGIN_PATH = '/iocm/app/sec/v1.1.0/login';

/** Single-quoted for sh: nothing inside is expanded; a quote becomes '\''. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** What curl needs to trust the server, and with mutual TLS the client's own certificate (placeholder files). */
function tlsOptions(endpoint: NorthboundEndpoint): string[] {
  if (!endpoint.tls) return [];
  return [
    ...(endpoint.certFile ? [`--cacert ${shellQuote(endpoint.certFile)}`] : []),
    ...(endpoint.clientCaFile ? ['--cert client-cert.pem --key client-key.pem'] : []),
  ];
}

const join = (lines: string[]) => lines.join(' \\\n  ');

export function curlLoginSnippet(endpoint: NorthboundEndpoint, appId: string, secret?: string): string {
  return join([
    `curl -sS -X POST ${shellQuote(`${endpoint.baseUrl ?? ''}${LOGIN_PATH}`)}`,
    ...tlsOptions(endpoint),
    `--data-urlencode ${shellQuote(`appId=${appId}`)}`,
    `--data-urlencode ${shellQuote(`secret=${secret ?? SECRET_PLACEHOLDER}`)}`,
  ]);
}

/** The next call an application server makes: its devices, page 0, with the two headers of §1.1. */
export function curlDevicesSnippet(endpoint: NorthboundEndpoint, appId: string): string {
  return join([
    `curl -sS ${shellQuote(`${endpoint.baseUrl ?? ''}/iocm/app/dm/v1.4.0/devices?pageNo=0&pageSize=25`)}`,
    ...tlsOptions(endpoint),
    `-H ${shellQuote(`app_key: ${appId}`)}`,
    `-H ${shellQuote(`Authorization: Bearer ${TOKEN_PLACEHOLDER}`)}`,
  ]);
}
