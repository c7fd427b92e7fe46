// HTTPS for the northbound API (§1.1: the platform's base URL is https): the user's certificate or a self-signed one
// made like the MQTTS one, and optionally a client-certificate requirement (mutual TLS, as the SDK demos use).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:tls';
import { loadOrCreateTlsCredentials, type TlsCertificateIdentity } from '../tls/tls-certificate.js';
import type { PlatformConfig } from '../config.js';
import type { Logger } from '../log/logger.js';

export const NORTHBOUND_CERTIFICATE: TlsCertificateIdentity = {
  dir: 'northbound-tls',
  commonName: 'IoT Workbench northbound API',
  userFlags: '--northbound-cert and --northbound-key',
  what: 'the northbound API certificate',
};

export interface NorthboundTls {
  /** Never listens: the platform's port hands it raw sockets, it hands decrypted ones to the HTTP server. */
  server: Server;
  certFile: string;
  fingerprint256: string;
  clientCaFile?: string;
}

type TlsConfig = Pick<PlatformConfig, 'northboundCertFile' | 'northboundKeyFile' | 'northboundClientCaFile'>;

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read ${what} ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function northboundTlsServer(config: TlsConfig, dataDir: string, logger: Logger): NorthboundTls {
  const { northboundCertFile: certFile, northboundKeyFile: keyFile, northboundClientCaFile: clientCaFile } = config;
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new Error('the northbound certificate and key go together (--northbound-cert and --northbound-key)');
  const user = certFile && keyFile ? { certFile, keyFile } : undefined;
  if (user) {
    readPem(user.certFile, 'the northbound certificate');
    readPem(user.keyFile, 'the northbound key');
  }
  const credentials = loadOrCreateTlsCredentials(dataDir, user, NORTHBOUND_CERTIFICATE);
  const ca = clientCaFile === undefined ? undefined : readPem(clientCaFile, 'the northbound client CA');
  const server = createServer({
    cert: credentials.cert,
    key: credentials.key,
    ...(ca ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
  });
  // A refused client certificate or a plain-HTTP client ends here; the log says why, the client sees a TLS alert.
  server.on('tlsClientError', (error, socket) => {
    // Node ends a connection whose client certificate does not verify after the handshake: the code says why.
    // Typed as an Error, but Node sets the OpenSSL verify code, e.g. "DEPTH_ZERO_SELF_SIGNED_CERT".
    const refused: unknown = socket.authorizationError;
    const code = typeof refused === 'string' ? refused : refused instanceof Error ? refused.message : undefined;
    const reason = code ? `the client certificate was refused (${code})` : error.message.trim();
    const from = socket.remoteAddress ? ` from ${socket.remoteAddress}` : '';
    logger.info(`northbound TLS handshake${from} failed: ${reason}`);
    socket.destroy();
  });
  return {
    server,
    certFile: credentials.certFile,
    fingerprint256: credentials.fingerprint256,
    ...(clientCaFile ? { clientCaFile } : {}),
  };
}
