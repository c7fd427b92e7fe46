// CA certificates per callback host:port: checked when uploaded, used to verify HTTPS callbacks.
import { X509Certificate } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { CallbackCa } from '../contract/push.js';
import { DomainError } from '../domain-error.js';
import type { CallbackTls } from './push-http.js';
import type { CaRow, PushStore } from './push-store.js';

function certificateOf(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new DomainError(
      'BAD_CERTIFICATE',
      `caPem is not a PEM X.509 certificate: ${error instanceof Error ? error.message : String(error)}`,
      'body.caPem',
    );
  }
}

function view(row: CaRow): CallbackCa {
  const cert = certificateOf(row.ca_pem);
  return {
    hostPort: row.host_port,
    checkCn: row.check_cn === 1,
    sni: row.sni === 1,
    subject: cert.subject.replace(/\n/g, ', '),
    fingerprint256: cert.fingerprint256,
    validTo: new Date(cert.validTo).toISOString(),
  };
}

export class CallbackCas {
  private readonly cache = new Map<string, CallbackTls | null>();

  constructor(
    private readonly store: PushStore,
    private readonly clock: Clock,
    private readonly onChange: () => void,
  ) {}

  list(): CallbackCa[] {
    return this.store.cas().map(view);
  }

  put(input: { hostPort: string; caPem: string; checkCn: boolean; sni: boolean }): CallbackCa {
    const cert = certificateOf(input.caPem);
    if (!cert.ca)
      throw new DomainError(
        'BAD_CERTIFICATE',
        `the certificate ${cert.subject.replace(/\n/g, ', ')} is not a CA (basicConstraints CA:TRUE); upload the CA that signed the callback server's certificate`,
        'body.caPem',
      );
    const hostPort = input.hostPort.toLowerCase();
    this.store.putCa({
      host_port: hostPort,
      ca_pem: input.caPem,
      check_cn: input.checkCn ? 1 : 0,
      sni: input.sni ? 1 : 0,
      created_at: this.clock.now(),
    });
    this.cache.clear();
    this.onChange();
    return view(this.store.ca(hostPort) as CaRow);
  }

  delete(hostPort: string): void {
    if (!this.store.deleteCa(hostPort.toLowerCase()))
      throw new DomainError('CA_NOT_FOUND', `no CA certificate is uploaded for ${hostPort}`, 'params.hostPort');
    this.cache.clear();
    this.onChange();
  }

  /** The TLS settings of a callback host:port, if a CA was uploaded for it. */
  tlsFor(hostPort: string): CallbackTls | undefined {
    const key = hostPort.toLowerCase();
    let tls = this.cache.get(key);
    if (tls === undefined) {
      const row = this.store.ca(key);
      tls = row ? { caPem: row.ca_pem, checkCn: row.check_cn === 1, sni: row.sni === 1 } : null;
      this.cache.set(key, tls);
    }
    return tls ?? undefined;
  }
}
