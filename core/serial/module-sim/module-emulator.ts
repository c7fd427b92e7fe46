// A simulated NB-IoT module (Boudica/BC95 style): answers the AT commands of reference §9.2 over a byte stream.
import type { Clock } from '../../clock.js';
import { AtLineSplitter } from '../at/at-lines.js';

export interface ModuleRadio {
  rsrpDbm: number;
  sinrDb: number;
  cellId: string;
  ecl: number;
  earfcn: number;
  pci: number;
  rssi: number;
}

/** Where the module's platform traffic goes; an LwM2M client over CoAP plugs in here (not built yet). */
export interface LwM2mClient {
  /** The module (re)starts with a CDP server set: register with endpoint name = IMEI. */
  connect(server: { host: string; port: number }, endpoint: string): Promise<void>;
  /** True once the platform observes /19/0/0 (uplinks can flow); without it AT+NMGS answers ERROR. */
  ready?(): boolean;
  /** AT+NMGS bytes, sent as a notify on /19/0/0. */
  sendUplink(bytes: Uint8Array): Promise<void>;
  /** Writes on /19/1/0 are handed to the module here. */
  onDownlink(listener: (bytes: Uint8Array) => void): void;
  close(): Promise<void>;
}

export interface ModuleEmulatorOptions {
  imei?: string;
  imsi?: string;
  iccid?: string;
  radio?: Partial<ModuleRadio>;
  clock: Clock;
  lwm2m?: LwM2mClient;
  /** Time the simulated reboot takes before the banner. */
  rebootMs?: number;
}

export const DEFAULT_IMEI = '863703030000001';
const DOWNLINK_BUFFER = 8;

export class ModuleEmulator {
  readonly imei: string;
  readonly imsi: string;
  readonly iccid: string;
  radio: ModuleRadio;
  echo = false;
  cfun = 1;
  cdp: { host: string; port: number } | undefined;
  nnmiMode = 1;
  private readonly buffered: Uint8Array[] = [];
  readonly stats = { pending: 0, sent: 0, error: 0, received: 0, dropped: 0 };
  /** Every uplink accepted by AT+NMGS (tests and demos read it when no LwM2M client is plugged in). */
  readonly uplinks: Uint8Array[] = [];
  private readonly splitter = new AtLineSplitter();
  private readonly outputs = new Set<(bytes: Uint8Array) => void>();
  private rebooting = false;

  constructor(private readonly options: ModuleEmulatorOptions) {
    this.imei = options.imei ?? DEFAULT_IMEI;
    this.imsi = options.imsi ?? '460111174590523';
    this.iccid = options.iccid ?? '89860317492037539526';
    this.radio = {
      rsrpDbm: -83.2,
      sinrDb: 12.4,
      cellId: '95271489',
      ecl: 0,
      earfcn: 2509,
      pci: 222,
      rssi: 21,
      ...options.radio,
    };
    options.lwm2m?.onDownlink((bytes) => this.deliverDownlink(bytes));
  }

  onOutput(listener: (bytes: Uint8Array) => void): () => void {
    this.outputs.add(listener);
    return () => this.outputs.delete(listener);
  }

  /** Bytes from the host (the serial line). */
  receive(bytes: Uint8Array): void {
    if (this.echo) this.emitRaw(bytes);
    for (const line of this.splitter.push(bytes)) this.handle(line);
  }

  /** A downlink from the platform, shown per the AT+NNMI mode. */
  deliverDownlink(bytes: Uint8Array): void {
    this.stats.received++;
    if (this.nnmiMode === 1) {
      this.emitLines(`+NNMI:${bytes.length},${Buffer.from(bytes).toString('hex').toUpperCase()}`);
      return;
    }
    if (this.buffered.length >= DOWNLINK_BUFFER) {
      this.buffered.shift();
      this.stats.dropped++;
    }
    this.buffered.push(bytes);
    if (this.nnmiMode === 2) this.emitLines('+NNMI');
  }

  private emitRaw(bytes: Uint8Array): void {
    for (const l of [...this.outputs]) l(bytes);
  }

  private emitLines(...lines: string[]): void {
    this.emitRaw(Buffer.from(lines.map((l) => `\r\n${l}\r\n`).join(''), 'latin1'));
  }

  private handle(raw: string): void {
    if (this.rebooting) return;
    const line = raw.trim();
    if (!/^AT/i.test(line)) return;
    const reply = this.answer(line);
    if (!reply) return;
    // Like the real firmware: the body lines as one block, then the final code on its own.
    const final = reply[reply.length - 1] ?? 'OK';
    const body = reply.slice(0, -1);
    const text = (body.length ? `\r\n${body.join('\r\n')}\r\n` : '') + `\r\n${final}\r\n`;
    this.emitRaw(Buffer.from(text, 'latin1'));
  }

  /** Lines to send back (ending with OK / ERROR), or undefined when the answer comes later. */
  private answer(line: string): string[] | undefined {
    const upper = line.toUpperCase();
    const ok = (...lines: string[]): string[] => [...lines, 'OK'];
    const setMatch = /^AT\+([A-Z]+)=(.*)$/i.exec(line);
    if (upper === 'AT') return ok();
    if (upper === 'ATE0' || upper === 'ATE1') {
      this.echo = upper === 'ATE1';
      return ok();
    }
    if (upper === 'ATI') return ok('Quectel', 'BC95HB-02-STD_850', 'Revision:BC95HBR02A01');
    if (upper === 'AT+CGSN=1') return ok(`+CGSN:${this.imei}`);
    if (upper === 'AT+CGSN') return ok(this.imei);
    if (upper === 'AT+CIMI') return this.cfun === 1 ? ok(this.imsi) : ['ERROR'];
    if (upper === 'AT+NCCID') return ok(`+NCCID:${this.iccid}`);
    if (upper === 'AT+CGMR')
      return ok('SECURITY,V100R100C10B657SP1', 'PROTOCOL,V100R100C10B657SP1', 'APPLICATION,V100R100C10B657SP1');
    if (upper === 'AT+CSQ') return ok(`+CSQ:${this.cfun === 1 ? this.radio.rssi : 99},99`);
    if (upper === 'AT+NUESTATS') {
      const r = this.radio;
      return ok(
        `Signal power:${Math.round(r.rsrpDbm * 10)}`,
        `Total power:${Math.round(r.rsrpDbm * 10) + 80}`,
        'TX power:-32768',
        'TX time:0',
        'RX time:14612',
        `Cell ID:${r.cellId}`,
        `ECL:${r.ecl}`,
        `SNR:${Math.round(r.sinrDb * 10)}`,
        `EARFCN:${r.earfcn}`,
        `PCI:${r.pci}`,
        'RSRQ:-108',
        'OPERATOR MODE:4',
      );
    }
    if (upper === 'AT+CFUN?') return ok(`+CFUN:${this.cfun}`);
    if (upper === 'AT+CGATT?') return ok(`+CGATT:${this.cfun}`);
    if (upper === 'AT+CEREG?') return ok(`+CEREG:0,${this.cfun === 1 ? 1 : 0}`);
    if (upper === 'AT+CGPADDR') return ok(this.cfun === 1 ? '+CGPADDR:0,10.45.0.23' : '+CGPADDR:0');
    if (upper === 'AT+NCDP?') return ok(`+NCDP:${this.cdp?.host ?? ''},${this.cdp?.port ?? 5683}`);
    if (upper === 'AT+NNMI?') return ok(`+NNMI:${this.nnmiMode}`);
    if (upper === 'AT+NQMGS')
      return ok(`PENDING=${this.stats.pending},SENT=${this.stats.sent},ERROR=${this.stats.error}`);
    if (upper === 'AT+NQMGR')
      return ok(`BUFFERED=${this.buffered.length},RECEIVED=${this.stats.received},DROPPED=${this.stats.dropped}`);
    if (upper === 'AT+NMGR') {
      const next = this.buffered.shift();
      return next ? ok(`${next.length},${Buffer.from(next).toString('hex').toUpperCase()}`) : ok();
    }
    if (upper === 'AT+NRB') {
      this.reboot();
      return undefined;
    }
    if (setMatch?.[1] && setMatch[2] !== undefined) return this.answerSet(setMatch[1].toUpperCase(), setMatch[2]);
    return ['ERROR'];
  }

  private answerSet(name: string, args: string): string[] {
    const parts = args.split(',').map((p) => p.trim().replace(/^"|"$/g, ''));
    switch (name) {
      case 'CFUN': {
        if (parts[0] !== '0' && parts[0] !== '1') return ['ERROR'];
        const wasOff = this.cfun === 0;
        this.cfun = Number(parts[0]);
        if (wasOff && this.cfun === 1) this.registerWithPlatform();
        return ['OK'];
      }
      case 'NCDP': {
        const host = parts[0] ?? '';
        const port = parts[1] === undefined || parts[1] === '' ? 5683 : Number(parts[1]);
        if (!/^[0-9A-Za-z.:-]{1,253}$/.test(host) || !Number.isInteger(port) || port < 1 || port > 65535)
          return ['ERROR'];
        this.cdp = { host, port };
        return ['OK'];
      }
      case 'NNMI':
        if (!['0', '1', '2'].includes(parts[0] ?? '')) return ['ERROR'];
        this.nnmiMode = Number(parts[0]);
        return ['OK'];
      case 'NMGS': {
        const length = Number(parts[0]);
        const hex = parts[1] ?? '';
        if (!Number.isInteger(length) || !/^([0-9A-Fa-f]{2})*$/.test(hex) || hex.length !== length * 2) {
          return ['+CME ERROR:50'];
        }
        if (this.cfun !== 1 || !this.cdp || this.options.lwm2m?.ready?.() === false) {
          this.stats.error++;
          return ['ERROR'];
        }
        const bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
        this.uplinks.push(bytes);
        this.stats.sent++;
        this.options.lwm2m?.sendUplink(bytes).catch(() => {
          this.stats.sent--;
          this.stats.error++;
        });
        return ['OK'];
      }
      case 'NTSETID':
      case 'CGDCONT':
      case 'CGATT':
      case 'QSECSWT':
      case 'QSETPSK':
        return ['OK'];
      default:
        return ['ERROR'];
    }
  }

  private reboot(): void {
    this.rebooting = true;
    this.emitLines('REBOOTING');
    this.options.clock.setTimeout(() => {
      this.rebooting = false;
      this.cfun = 1;
      this.emitLines(
        'Boot: Unsigned',
        'Security B.. Verified',
        'Protocol A.. Verified',
        'Apps A...... Verified',
        'REBOOT_CAUSE_APPLICATION_AT',
        'Neul',
        'OK',
      );
      this.registerWithPlatform();
    }, this.options.rebootMs ?? 300);
  }

  /** With a CDP server set, (re)registers over LwM2M; +QLWEVTIND reports the outcome like BC28-family firmware. */
  private registerWithPlatform(): void {
    const lwm2m = this.options.lwm2m;
    if (!this.cdp || !lwm2m) return;
    lwm2m.connect(this.cdp, this.imei).then(
      () => this.emitLines('+QLWEVTIND:0'),
      () => this.emitLines('+QLWEVTIND:8'),
    );
  }
}
