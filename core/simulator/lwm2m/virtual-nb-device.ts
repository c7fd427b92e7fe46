// One simulated NB-IoT device: its objects, its LwM2M client, reboot, coverage and uplinks on /19/0/0.
import type { Clock, TimerHandle } from '../../clock.js';
import type { SimOtaFaults } from '../../contract/simulator-lwm2m.js';
import { SimPcpDevice } from './sim-pcp-device.js';
import { Lwm2mDeviceClient, type Lwm2mClientEvent, type ServerAddress } from './lwm2m-device-client.js';
import { appendDeviceLog, createDeviceObjects, type SimDeviceInfo, type SimObjectStore } from './sim-objects.js';

export type VirtualDeviceState = 'stopped' | 'registering' | 'registered' | 'rebooting' | 'no-coverage' | 'failed';

export interface VirtualNbDeviceOptions {
  clock: Clock;
  server: ServerAddress;
  info: SimDeviceInfo;
  /** How long a reboot keeps the device away before it registers again. */
  rebootMs?: number;
  /** How long the (simulated) firmware download and the install take. */
  firmwareDownloadMs?: number;
  firmwareInstallMs?: number;
  ackTimeoutMs?: number;
  maxRetransmit?: number;
  onEvent?: (
    event: Lwm2mClientEvent | { kind: 'rebooting' | 'downlink' | 'coverage'; message: string; path?: string },
  ) => void;
  onDownlink?: (bytes: Uint8Array) => void;
  /** Upgrade faults (and radio overrides) at start; `setOtaFaults` changes them. */
  otaFaults?: SimOtaFaults;
  /** How long the device waits for a PCP shard before asking again. */
  shardWaitMs?: number;
}

/** Block size a simulated module asks the platform's firmware URI in (RFC 7959 SZX 5). */
const FIRMWARE_BLOCK = 512;

export class VirtualNbDevice {
  readonly objects: SimObjectStore;
  readonly client: Lwm2mDeviceClient;
  private current: VirtualDeviceState = 'stopped';
  private lastError: string | undefined;
  private rebootTimer: TimerHandle | undefined;
  private firmwareTimer: TimerHandle | undefined;
  readonly counters = { uplinks: 0, downlinks: 0, reboots: 0, registrations: 0 };
  private readonly radio: SimDeviceInfo['radio'];
  private lastRegisteredAt: number | undefined;
  private faults: SimOtaFaults;
  readonly pcp: SimPcpDevice;
  /** The real block-wise firmware download: blocks held (kept across coverage loss), from the URI written. */
  private firmware:
    | { uri: string; path: string[]; version: string; blocks: Buffer[]; fetching: boolean; offlineDone: boolean }
    | undefined;

  constructor(private readonly options: VirtualNbDeviceOptions) {
    const { clock } = options;
    this.faults = options.otaFaults ?? {};
    const info = { ...options.info, radio: { ...options.info.radio } };
    this.applyRadio(info.radio, this.faults);
    this.radio = info.radio;
    this.objects = createDeviceObjects(info, {
      now: () => clock.now(),
      reboot: () => this.reboot(),
      factoryReset: () => this.reboot(),
      firmwareUpdate: () => this.firmwareUpdate(),
    });
    this.client = new Lwm2mDeviceClient({
      clock,
      endpoint: info.nodeId,
      server: options.server,
      objects: this.objects,
      lifetimeS: info.lifetimeS,
      ...(options.ackTimeoutMs ? { ackTimeoutMs: options.ackTimeoutMs } : {}),
      ...(options.maxRetransmit !== undefined ? { maxRetransmit: options.maxRetransmit } : {}),
      onEvent: (event) => {
        this.log(event.message);
        options.onEvent?.(event);
      },
      onWrite: (path) => {
        if (path === '/5/0/1') {
          const uri = this.objects.get(5, 0, 1);
          this.firmwarePackage(typeof uri === 'string' ? uri : '');
        }
        if (path === '/19/1/0') {
          const value = this.objects.get(19, 1, 0);
          if (value instanceof Uint8Array) this.receiveDownlink(value);
        }
      },
    });
    this.pcp = new SimPcpDevice({
      clock,
      send: (bytes) => this.sendUplink(bytes).ok,
      softwareVersion: () => String(this.objects.get(3, 0, 19) ?? ''),
      setSoftwareVersion: (v) => this.objects.set(3, 0, 19, v),
      faults: () => this.faults,
      loseCoverage: () => void this.setCoverage(false),
      log: (line) => this.log(line),
      ...(options.shardWaitMs !== undefined ? { shardWaitMs: options.shardWaitMs } : {}),
    });
    this.log('power on');
  }

  /** Radio overrides: a null cell id or RSRP makes its /4/0 read fail (cell unknown, coverage query failed). */
  private applyRadio(radio: SimDeviceInfo['radio'], faults: SimOtaFaults): void {
    if (faults.rsrpDbm !== undefined) radio.rsrpDbm = faults.rsrpDbm ?? Number.NaN;
    if (faults.sinrDb !== undefined) radio.sinrDb = faults.sinrDb;
    if (faults.cellId !== undefined) radio.cellId = faults.cellId ?? -1;
  }

  setOtaFaults(faults: SimOtaFaults): void {
    this.faults = faults;
    this.applyRadio(this.radio, faults);
  }

  otaFaults(): SimOtaFaults {
    return this.faults;
  }

  /** Shards (PCP) or blocks (FOTA) of the current download held. */
  shardsHeld(): number {
    return this.firmware?.blocks.length ?? this.pcp.held();
  }

  get nodeId(): string {
    return this.options.info.nodeId;
  }

  state(): VirtualDeviceState {
    return this.current;
  }

  error(): string | undefined {
    return this.lastError;
  }

  registeredAt(): number | undefined {
    return this.lastRegisteredAt;
  }

  private log(line: string): void {
    appendDeviceLog(this.objects, this.options.clock.now(), line);
  }

  async start(): Promise<void> {
    this.current = 'registering';
    try {
      await this.client.register();
      this.counters.registrations++;
      this.lastRegisteredAt = this.options.clock.now();
      this.current = this.client.hasCoverage() ? 'registered' : 'no-coverage';
      this.lastError = undefined;
    } catch (error) {
      this.current = 'failed';
      this.lastError = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  /** True once the platform observes /19/0/0: uplinks can flow. */
  ready(): boolean {
    return this.current === 'registered' && this.client.observing('/19/0/0');
  }

  /** Reports bytes as a notify on /19/0/0; refused while not observed or out of coverage. */
  sendUplink(bytes: Uint8Array): { ok: true } | { ok: false; reason: string } {
    if (this.current === 'no-coverage') return { ok: false, reason: 'the device has no radio coverage' };
    if (!this.ready()) return { ok: false, reason: 'the platform has not observed /19/0/0 yet' };
    this.counters.uplinks++;
    this.objects.set(19, 0, 0, bytes);
    return { ok: true };
  }

  private receiveDownlink(bytes: Uint8Array): void {
    this.counters.downlinks++;
    if (this.pcp.receive(bytes)) return;
    this.log(`downlink ${Buffer.from(bytes).toString('hex').toUpperCase()}`);
    this.options.onEvent?.({ kind: 'downlink', path: '/19/1/0', message: `downlink of ${bytes.length} bytes` });
    this.options.onDownlink?.(bytes);
  }

  /** Execute /3/0/4: answer first (the client did), deregister, stay away `rebootMs`, then register again. */
  reboot(): void {
    if (this.current === 'rebooting') return;
    this.current = 'rebooting';
    this.counters.reboots++;
    this.options.onEvent?.({ kind: 'rebooting', message: 'rebooting' });
    this.log('reboot requested by the platform');
    void this.client.deregister().finally(() => {
      this.rebootTimer = this.options.clock.setTimeout(() => {
        this.rebootTimer = undefined;
        this.log('boot: REBOOT_CAUSE_APPLICATION_AT');
        void this.start().catch(() => undefined);
      }, this.options.rebootMs ?? 3000);
    });
  }

  /**
   * Object 5 pull mode, simulated: a package URI starts a "download" (State 1, then 2 after firmwareDownloadMs);
   * nothing is fetched yet. An empty URI cancels (State 0); a URI that is not coap(s)/http(s) is Update Result 7.
   */
  private firmwarePackage(uri: string): void {
    this.firmwareTimer?.cancel();
    const { objects } = this;
    if (uri === '') {
      objects.set(5, 0, 3, 0);
      objects.set(5, 0, 5, 0);
      return;
    }
    if (!/^(coaps?|https?):\/\/[^\s]+$/.test(uri)) {
      objects.set(5, 0, 5, 7);
      return;
    }
    const url = URL.canParse(uri) ? new URL(uri) : undefined;
    if (url?.protocol === 'coap:' && Number(url.port) === this.options.server.port) {
      // The platform's own CoAP port: a real block-wise download, resumed from the first missing block.
      const path = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const same = this.firmware?.uri === uri;
      if (!same) {
        this.firmware = {
          uri,
          path,
          version: path[path.length - 1] ?? '',
          blocks: [],
          fetching: false,
          offlineDone: false,
        };
      }
      this.log(`firmware download from ${uri}`);
      objects.set(5, 0, 5, 0);
      objects.set(5, 0, 3, 1);
      void this.fetchFirmware();
      return;
    }
    this.log(`firmware download from ${uri}`);
    objects.set(5, 0, 5, 0);
    objects.set(5, 0, 3, 1);
    const file = uri.split('/').pop() ?? '';
    const version = /v?(\d+(?:\.\d+)*)/i.exec(file)?.[1];
    this.firmwareTimer = this.options.clock.setTimeout(() => {
      objects.set(5, 0, 6, file);
      objects.set(5, 0, 7, version ? `V${version}` : file);
      objects.set(5, 0, 3, 2);
      this.log('firmware downloaded');
    }, this.options.firmwareDownloadMs ?? 2000);
  }

  /** Fetches the blocks still missing; stops at a dropped block (fault) or when coverage goes. */
  private async fetchFirmware(): Promise<void> {
    const fw = this.firmware;
    if (!fw || fw.fetching) return;
    fw.fetching = true;
    try {
      for (;;) {
        if (this.firmware !== fw || this.objects.get(5, 0, 3) !== 1) return;
        const num = fw.blocks.length;
        if (this.faults.offlineAtShard === num && !fw.offlineDone) {
          fw.offlineDone = true;
          this.log(`coverage lost at block ${num}`);
          await this.setCoverage(false);
          return;
        }
        // Fault: this block's answer never comes; the module gives up silently and the platform times out.
        if (this.faults.dropShard === num) return;
        let block;
        try {
          block = await this.client.getBlock(fw.path, num, FIRMWARE_BLOCK);
        } catch {
          return; // no coverage or no answer: resumed when coverage comes back
        }
        if (block.code !== '2.05') {
          this.log(`firmware download refused: ${block.code}`);
          this.objects.set(5, 0, 5, 4);
          this.objects.set(5, 0, 3, 0);
          return;
        }
        fw.blocks.push(block.payload);
        if (!block.more) break;
      }
      this.firmwareDownloaded(fw);
    } finally {
      fw.fetching = false;
    }
  }

  private firmwareDownloaded(fw: NonNullable<VirtualNbDevice['firmware']>): void {
    const { objects } = this;
    if (this.faults.checkFailed) {
      this.log('firmware package check failed');
      this.firmware = undefined;
      objects.set(5, 0, 5, 5);
      objects.set(5, 0, 3, 0);
      return;
    }
    const size = fw.blocks.reduce((n, b) => n + b.length, 0);
    objects.set(5, 0, 6, fw.path.join('/'));
    objects.set(5, 0, 7, fw.version);
    objects.set(5, 0, 3, 2);
    this.log(`firmware downloaded: ${size} bytes in ${fw.blocks.length} blocks`);
  }

  /** Execute /5/0/2 after State 2: State 3, then the new version, Update Result 1, and a reboot. */
  private firmwareUpdate(): void {
    const { objects } = this;
    if (objects.get(5, 0, 3) !== 2) return;
    objects.set(5, 0, 3, 3);
    this.log('firmware update started');
    this.firmwareTimer = this.options.clock.setTimeout(() => {
      this.firmware = undefined;
      if (this.faults.installFailed) {
        objects.set(5, 0, 3, 0);
        objects.set(5, 0, 5, 8);
        this.log('firmware update failed');
        return;
      }
      const version = objects.get(5, 0, 7);
      if (typeof version === 'string' && version !== '') objects.set(3, 0, 3, version);
      objects.set(5, 0, 3, 0);
      objects.set(5, 0, 5, 1);
      this.log(`firmware updated to ${String(version)}`);
      this.reboot();
    }, this.options.firmwareInstallMs ?? 3000);
  }

  async setCoverage(on: boolean): Promise<void> {
    if (this.current === 'stopped' || this.current === 'rebooting') return;
    this.options.onEvent?.({ kind: 'coverage', message: on ? 'coverage regained' : 'coverage lost' });
    this.log(on ? 'coverage regained' : 'coverage lost');
    if (!on) {
      this.current = 'no-coverage';
      await this.client.setCoverage(false);
      return;
    }
    try {
      await this.client.setCoverage(true);
      this.current = 'registered';
      // Downloads resume from the first missing shard or block.
      this.pcp.askNext();
      void this.fetchFirmware();
    } catch (error) {
      this.current = 'failed';
      this.lastError = error instanceof Error ? error.message : String(error);
    }
  }

  async stop(): Promise<void> {
    this.firmwareTimer?.cancel();
    this.pcp.stop();
    this.rebootTimer?.cancel();
    this.rebootTimer = undefined;
    if (this.current === 'registered') await this.client.deregister();
    this.client.close();
    this.current = 'stopped';
  }
}
