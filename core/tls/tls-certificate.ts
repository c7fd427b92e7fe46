// A TLS port's certificate (MQTTS, the northbound API): the user's own (PEM files), or a self-signed one made with
// openssl on first use and kept in the data folder, valid for localhost and 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
  certFile: string;
  /** SHA-256 fingerprint, shown so a user can pin it on a device. */
  fingerprint256: string;
  generated: boolean;
}

export const GENERATED_CERT_DIR = 'mqtts';

/** Which port a generated certificate is for: its folder in the data folder, its CN, and the flags that replace it. */
export interface TlsCertificateIdentity {
  dir: string;
  commonName: string;
  userFlags: string;
  /** "the MQTTS certificate", for error messages. */
  what: string;
}

export const MQTTS_CERTIFICATE: TlsCertificateIdentity = {
  dir: GENERATED_CERT_DIR,
  commonName: 'IoT Workbench MQTTS',
  userFlags: '--mqtts-cert and --mqtts-key',
  what: 'the MQTTS certificate',
};

export function loadOrCreateTlsCredentials(
  dataDir: string,
  user?: { certFile: string; keyFile: string },
  identity: TlsCertificateIdentity = MQTTS_CERTIFICATE,
): TlsCredentials {
  if (user) {
    const cert = readFileSync(user.certFile);
    return {
      cert,
      key: readFileSync(user.keyFile),
      certFile: user.certFile,
      fingerprint256: new X509Certificate(cert).fingerprint256,
      generated: false,
    };
  }
  const dir = join(dataDir, identity.dir);
  const certFile = join(dir, 'server-cert.pem');
  const keyFile = join(dir, 'server-key.pem');
  let generated = false;
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true });
    try {
      // Node can make keys but not certificates: openssl signs the self-signed one (P-256, 10 years).
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          keyFile,
          '-out',
          certFile,
          '-days',
          '3650',
          '-subj',
          `/CN=${identity.commonName}`,
          '-addext',
          'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
        ],
        { stdio: 'pipe', timeout: 30_000 },
      );
    } catch (error) {
      throw new Error(
        `cannot make ${identity.what} with openssl (${error instanceof Error ? error.message : String(error)}); ` +
          `install openssl or give your own certificate with ${identity.userFlags}`,
      );
    }
    chmodSync(keyFile, 0o600);
    generated = true;
  }
  const cert = readFileSync(certFile);
  return {
    cert,
    key: readFileSync(keyFile),
    certFile,
    fingerprint256: new X509Certificate(cert).fingerprint256,
    generated,
  };
}

/** The device-facing certificate (MQTTS, HTTPS binds): the user's pair when both files are configured. */
export function loadDeviceTlsCredentials(
  dataDir: string,
  config: { mqttsCertFile?: string | undefined; mqttsKeyFile?: string | undefined },
): TlsCredentials {
  return loadOrCreateTlsCredentials(
    dataDir,
    config.mqttsCertFile && config.mqttsKeyFile
      ? { certFile: config.mqttsCertFile, keyFile: config.mqttsKeyFile }
      : undefined,
  );
}
