// An LwM2M client over CoAP/UDP (coap-packet): registration, update and deregistration, and the device
// management interface (read, write, execute, discover, observe) served from a SimObjectStore.
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import coapPacket, { type Packet, type ParsedPacket } from 'coap-packet';
import type { Clock, TimerHandle } from '../../clock.js';
import { readUint, uintOption } from '../../protocols/coap/coap-options.js';
import { CONTENT_FORMAT, decodeWrite, discoverLinks, encodeRead } from './sim-content.js';
import { parsePath, pathText, type ResourcePath, type SimObjectStore } from './sim-objects.js';

const uintOf = (value: Buffer | undefined): number | undefined => (value === undefined ? undefined : readUint(value));

/** coap-packet parses request codes as `0.01` … `0.04`; generate accepts the names. */
const METHOD_BY_CODE: Record<string, string> = { '0.01': 'GET', '0.02': 'POST', '0.03': 'PUT', '0.04': 'DELETE' };
const methodOf = (packet: ParsedPacket): string => METHOD_BY_CODE[packet.code] ?? packet.code;
const option = (packet: ParsedPacket, name: string) => packet.options.find((o) => o.name === name)?.value;

function uriPath(packet: ParsedPacket): string {
  return packet.options
    .filter((o) => o.name === 'Uri-Path')
    .map((o) => o.value.toString())
    .join('/');
}

export interface ServerAddress {
  host: string;
  port: number;
}

export interface Lwm2mClientEvent {
  kind:
    | 'registered'
    | 'updated'
    | 'deregistered'
    | 'register-failed'
    | 'observed'
    | 'observe-cancelled'
    | 'read'
    | 'written'
    | 'executed'
    | 'notified';
  path?: string;
  message: string;
}

export interface Lwm2mDeviceClientOptions {
  clock: Clock;
  endpoint: string;
  server: ServerAddress;
  objects: SimObjectStore;
  lifetimeS?: number;
  binding?: string;
  lwm2mVersion?: '1.0' | '1.1';
  /** First CON retransmission wait; doubled each time (RFC 7252 ACK_TIMEOUT). */
  ackTimeoutMs?: number;
  maxRetransmit?: number;
  /** Observe notifications as CON (acknowledged) instead of NON. */
  confirmableNotifications?: boolean;
  onEvent?: (event: Lwm2mClientEvent) => void;
  /** A write was applied (after the store changed): e.g. /19/1/0 downlinks, /5/0/1 package URIs. */
  onWrite?: (path: string) => void;
}

interface Observation {
  path: ResourcePath;
  token: Buffer;
  format: number | undefined;
}

const DEFAULT_BLOCK_SIZE = 1024;
const DEDUP_ENTRIES = 64;

export class Lwm2mDeviceClient {
  private socket: Socket | undefined;
  private messageId = randomBytes(2).readUInt16BE(0);
  private location: string[] = [];
  private readonly observations = new Map<string, Observation>();
  private observeSeq = 2;
  private readonly pending = new Map<
    number,
    { resolve: (p: ParsedPacket) => void; reject: (e: Error) => void; timer: TimerHandle }
  >();
  private readonly answered = new Map<number, Buffer>();
  private readonly block1 = new Map<string, Buffer[]>();
  private updateTimer: TimerHandle | undefined;
  private covered = true;
  private stopWatching: (() => void) | undefined;

  constructor(private readonly options: Lwm2mDeviceClientOptions) {}

  get endpoint(): string {
    return this.options.endpoint;
  }

  registered(): boolean {
    return this.location.length > 0;
  }

  /** `/rd/…` the server gave on registration. */
  registrationLocation(): string | undefined {
    return this.location.length ? `/${this.location.join('/')}` : undefined;
  }

  observing(path: string): boolean {
    return this.observations.has(path);
  }

  observedPaths(): string[] {
    return [...this.observations.keys()];
  }

  hasCoverage(): boolean {
    return this.covered;
  }

  localPort(): number | undefined {
    try {
      return this.socket?.address().port;
    } catch {
      return undefined;
    }
  }

  private nextId(): number {
    this.messageId = (this.messageId + 1) & 0xffff;
    return this.messageId;
  }

  private emit(event: Lwm2mClientEvent): void {
    this.options.onEvent?.(event);
  }

  private sendRaw(bytes: Buffer): void {
    if (!this.socket || !this.covered) return;
    this.socket.send(bytes, this.options.server.port, this.options.server.host);
  }

  private send(packet: Packet): void {
    this.sendRaw(coapPacket.generate(packet));
  }

  /** Sends a CON request and resolves with its piggybacked response, retransmitting through the clock. */
  private request(packet: Packet): Promise<ParsedPacket> {
    return new Promise((resolve, reject) => {
      const id = this.nextId();
      const full = { ...packet, messageId: id, confirmable: true, token: packet.token ?? randomBytes(4) };
      const bytes = coapPacket.generate(full);
      const maxRetransmit = this.options.maxRetransmit ?? 4;
      let attempt = 0;
      const transmit = (): void => {
        this.sendRaw(bytes);
        const wait = (this.options.ackTimeoutMs ?? 2000) * 2 ** attempt;
        attempt++;
        const timer = this.options.clock.setTimeout(() => {
          if (attempt > maxRetransmit) {
            this.pending.delete(id);
            const { host, port } = this.options.server;
            reject(new Error(`no answer from ${host}:${port}`));
          } else transmit();
        }, wait);
        this.pending.set(id, { resolve, reject, timer });
      };
      transmit();
    });
  }

  /**
   * GET one Block2 block of a resource on the server (a firmware package the platform serves on its LwM2M port);
   * rejects when there is no coverage or no answer.
   */
  async getBlock(path: string[], num: number, size: number): Promise<{ code: string; payload: Buffer; more: boolean }> {
    if (!this.socket || !this.covered) throw new Error('the device has no radio coverage');
    const szx = Math.log2(size) - 4;
    const response = await this.request({
      code: 'GET',
      options: [
        ...path.map((p) => ({ name: 'Uri-Path' as const, value: Buffer.from(p) })),
        { name: 'Block2', value: uintOption((num << 4) | szx) },
      ],
    });
    const block = uintOf(option(response, 'Block2'));
    return { code: response.code, payload: response.payload, more: block !== undefined && (block & 0x08) !== 0 };
  }

  private async openSocket(): Promise<void> {
    if (this.socket) return;
    const s = createSocket(isIPv6(this.options.server.host) ? 'udp6' : 'udp4');
    this.socket = s;
    s.on('message', (raw) => this.onMessage(raw));
    s.on('error', () => undefined);
    await new Promise<void>((resolve) => s.bind(0, resolve));
    this.stopWatching ??= this.options.objects.onChange((path) => this.notifyChanged(path));
  }

  private closeSocket(): void {
    for (const [, p] of this.pending) {
      p.timer.cancel();
      p.reject(new Error('the client closed'));
    }
    this.pending.clear();
    this.answered.clear();
    this.block1.clear();
    this.socket?.close();
    this.socket = undefined;
    this.observations.clear();
    this.location = [];
    this.updateTimer?.cancel();
    this.updateTimer = undefined;
  }

  private scheduleUpdate(): void {
    this.updateTimer?.cancel();
    const lifetimeMs = (this.options.lifetimeS ?? 86400) * 1000;
    // Update well before the lifetime ends, as real clients do (Leshan/Wakaama update at ~90 %).
    this.updateTimer = this.options.clock.setTimeout(
      () => void this.update().catch(() => this.scheduleUpdate()),
      Math.max(1000, lifetimeMs * 0.9),
    );
  }

  /** POST /rd?ep=…&lt=…&lwm2m=…&b=… with the object links; a new socket (port) every time, like a module boot. */
  async register(): Promise<void> {
    this.closeSocket();
    await this.openSocket();
    const o = this.options;
    try {
      const response = await this.request({
        code: 'POST',
        options: [
          { name: 'Uri-Path', value: Buffer.from('rd') },
          { name: 'Content-Format', value: uintOption(CONTENT_FORMAT.link) },
          { name: 'Uri-Query', value: Buffer.from(`ep=${o.endpoint}`) },
          { name: 'Uri-Query', value: Buffer.from(`lt=${o.lifetimeS ?? 86400}`) },
          { name: 'Uri-Query', value: Buffer.from(`lwm2m=${o.lwm2mVersion ?? '1.0'}`) },
          { name: 'Uri-Query', value: Buffer.from(`b=${o.binding ?? 'UQ'}`) },
        ],
        payload: Buffer.from(o.objects.links()),
      });
      if (response.code !== '2.01') throw new Error(`registration refused with ${response.code}`);
      this.location = response.options.filter((p) => p.name === 'Location-Path').map((p) => p.value.toString());
    } catch (error) {
      this.emit({ kind: 'register-failed', message: error instanceof Error ? error.message : String(error) });
      throw error;
    }
    this.scheduleUpdate();
    this.emit({ kind: 'registered', message: `registered at ${this.registrationLocation() ?? '?'}` });
  }

  /** Registration update (POST /rd/<id>); a 4.04 (server forgot us) registers again. */
  async update(): Promise<void> {
    if (!this.registered()) return this.register();
    const response = await this.request({
      code: 'POST',
      options: this.location.map((p) => ({ name: 'Uri-Path' as const, value: Buffer.from(p) })),
    });
    if (response.code === '4.04') return this.register();
    if (response.code !== '2.04') throw new Error(`registration update refused with ${response.code}`);
    this.scheduleUpdate();
    this.emit({ kind: 'updated', message: 'registration updated' });
  }

  /** DELETE /rd/<id> (confirmable; a lost answer is not waited for) and closes the socket. */
  async deregister(): Promise<void> {
    if (this.socket && this.registered() && this.covered) {
      const done = this.request({
        code: 'DELETE',
        options: this.location.map((p) => ({ name: 'Uri-Path' as const, value: Buffer.from(p) })),
      }).catch(() => undefined);
      await Promise.race([done, new Promise((r) => setTimeout(r, 500))]);
      this.emit({ kind: 'deregistered', message: 'deregistered' });
    }
    this.closeSocket();
  }

  /** Loses or regains radio coverage: nothing goes in or out while lost; regaining sends an update. */
  async setCoverage(on: boolean): Promise<void> {
    if (this.covered === on) return;
    this.covered = on;
    if (on && this.socket) await this.update();
  }

  close(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
    this.closeSocket();
  }

  private notifyChanged(changed: string): void {
    for (const [key, obs] of this.observations) {
      if (changed === key || changed.startsWith(`${key}/`)) this.sendNotification(key, obs);
    }
  }

  private sendNotification(key: string, obs: Observation): void {
    const read = encodeRead(this.options.objects, obs.path, obs.format);
    if (!read.ok) return;
    this.send({
      messageId: this.nextId(),
      token: obs.token,
      confirmable: this.options.confirmableNotifications ?? false,
      code: '2.05',
      options: [
        { name: 'Observe', value: uintOption(this.observeSeq++ & 0xffffff) },
        { name: 'Content-Format', value: uintOption(read.format) },
      ],
      payload: read.payload,
    });
    this.emit({ kind: 'notified', path: key, message: `notify ${key} (${read.payload.length} bytes)` });
  }

  private answer(to: ParsedPacket, code: string, extra: Partial<Packet> = {}): void {
    const bytes = coapPacket.generate(
      to.confirmable
        ? { messageId: to.messageId, token: to.token, ack: true, code, ...extra }
        : { messageId: this.nextId(), token: to.token, confirmable: false, code, ...extra },
    );
    if (to.confirmable) {
      this.answered.set(to.messageId, bytes);
      if (this.answered.size > DEDUP_ENTRIES) this.answered.delete(this.answered.keys().next().value!);
    }
    this.sendRaw(bytes);
  }

  private onMessage(raw: Buffer): void {
    if (!this.covered) return;
    let packet: ParsedPacket;
    try {
      packet = coapPacket.parse(raw);
    } catch {
      return;
    }
    if (packet.ack || packet.reset) {
      const waiting = this.pending.get(packet.messageId);
      if (waiting) {
        this.pending.delete(packet.messageId);
        waiting.timer.cancel();
        if (packet.reset) waiting.reject(new Error('the server reset the request'));
        else waiting.resolve(packet);
      } else if (packet.reset) {
        // A RST to a notification cancels that observation (RFC 7641 §3.6).
        for (const [key, obs] of this.observations) if (obs.token.equals(packet.token)) this.observations.delete(key);
      }
      return;
    }
    if (packet.code.startsWith('2.') || packet.code.startsWith('4.') || packet.code.startsWith('5.')) {
      if (packet.confirmable) this.send({ messageId: packet.messageId, code: '0.00', ack: true });
      return;
    }
    const repeated = packet.confirmable ? this.answered.get(packet.messageId) : undefined;
    if (repeated) return this.sendRaw(repeated);
    try {
      this.serve(packet);
    } catch {
      this.answer(packet, '5.00');
    }
  }

  private serve(packet: ParsedPacket): void {
    const method = methodOf(packet);
    const text = uriPath(packet);
    const path = parsePath(text);
    if (!path) return this.answer(packet, '4.04');
    const key = pathText(path);
    const objects = this.options.objects;
    if (method === 'GET') return this.serveGet(packet, path, key);
    if (method === 'PUT' || method === 'POST') {
      const payload = this.collectBlock1(packet, key);
      if (!payload) return;
      const resource =
        path.instanceId !== undefined && path.resourceId !== undefined
          ? objects.resource(path.objectId, path.instanceId, path.resourceId)
          : undefined;
      if (method === 'POST' && resource?.execute) {
        this.answer(packet, '2.04');
        this.emit({ kind: 'executed', path: key, message: `execute ${key}` });
        resource.execute(payload.toString('utf8'));
        return;
      }
      if (path.instanceId === undefined) return this.answer(packet, '4.05');
      const format = uintOf(option(packet, 'Content-Format'));
      const decoded = decodeWrite(objects, { ...path, instanceId: path.instanceId }, format, payload);
      if (!decoded.ok) return this.answer(packet, decoded.code);
      for (const id of decoded.values.keys()) {
        const target = objects.resource(path.objectId, path.instanceId, id);
        if (!target?.writable) return this.answer(packet, '4.05');
      }
      const block1 = option(packet, 'Block1');
      this.answer(packet, '2.04', block1 ? { options: [{ name: 'Block1', value: block1 }] } : {});
      for (const [id, value] of decoded.values) {
        objects.set(path.objectId, path.instanceId, id, value);
        const written = `/${path.objectId}/${path.instanceId}/${id}`;
        this.emit({ kind: 'written', path: written, message: `write ${written}` });
        this.options.onWrite?.(written);
      }
      return;
    }
    if (method === 'DELETE') return this.answer(packet, '4.05');
    this.answer(packet, '4.05');
  }

  /** Gathers a Block1 (RFC 7959) upload; returns the whole payload once the last block is in. */
  private collectBlock1(packet: ParsedPacket, key: string): Buffer | undefined {
    const block = uintOf(option(packet, 'Block1'));
    if (block === undefined) return packet.payload;
    const num = block >> 4;
    const more = (block & 0x08) !== 0;
    const parts = num === 0 ? [] : (this.block1.get(key) ?? []);
    if (parts.length !== num) {
      this.answer(packet, '4.08');
      return undefined;
    }
    parts.push(packet.payload);
    if (more) {
      this.block1.set(key, parts);
      this.answer(packet, '2.31', { options: [{ name: 'Block1', value: option(packet, 'Block1')! }] });
      return undefined;
    }
    this.block1.delete(key);
    return Buffer.concat(parts);
  }

  private serveGet(packet: ParsedPacket, path: ResourcePath, key: string): void {
    const accept = uintOf(option(packet, 'Accept'));
    if (accept === CONTENT_FORMAT.link) {
      const links = discoverLinks(this.options.objects, path);
      if (!links) return this.answer(packet, '4.04');
      return this.answerContent(packet, CONTENT_FORMAT.link, Buffer.from(links), []);
    }
    const observe = uintOf(option(packet, 'Observe'));
    const read = encodeRead(this.options.objects, path, accept);
    if (!read.ok) return this.answer(packet, read.code);
    const extra: Packet['options'] = [];
    if (observe === 0) {
      this.observations.set(key, { path, token: packet.token, format: accept });
      extra.push({ name: 'Observe', value: uintOption(this.observeSeq++ & 0xffffff) });
      this.emit({ kind: 'observed', path: key, message: `observed ${key}` });
    } else if (observe === 1) {
      this.observations.delete(key);
      this.emit({ kind: 'observe-cancelled', path: key, message: `observation of ${key} cancelled` });
    } else {
      this.emit({ kind: 'read', path: key, message: `read ${key}` });
    }
    this.answerContent(packet, read.format, read.payload, extra);
  }

  /** A 2.05 with the payload, split with Block2 when it does not fit the requested block size. */
  private answerContent(packet: ParsedPacket, format: number, payload: Buffer, extra: Packet['options'] = []): void {
    const requested = uintOf(option(packet, 'Block2'));
    const szx = requested === undefined ? 6 : Math.min(requested & 0x07, 6);
    const size = requested === undefined ? DEFAULT_BLOCK_SIZE : 2 ** (szx + 4);
    const num = requested === undefined ? 0 : requested >> 4;
    const options = [...(extra ?? []), { name: 'Content-Format' as const, value: uintOption(format) }];
    if (payload.length <= size && num === 0) {
      return this.answer(packet, '2.05', { options, payload });
    }
    const start = num * size;
    if (start >= payload.length) return this.answer(packet, '4.02');
    const more = start + size < payload.length;
    options.push({ name: 'Block2', value: uintOption((num << 4) | (more ? 0x08 : 0) | szx) });
    options.push({ name: 'Size2', value: uintOption(payload.length) });
    this.answer(packet, '2.05', { options, payload: payload.subarray(start, start + size) });
  }
}
