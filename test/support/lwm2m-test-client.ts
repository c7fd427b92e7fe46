// A small LwM2M client over real UDP for tests: registers, serves a resource table (TLV, SenML, text, opaque,
// link format), Block1/Block2, observe and cancel, execute; records what the server did to it.
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import coapPacket, { type ParsedPacket, type Packet } from 'coap-packet';
import { lwm2mContentFormats as CF, type Lwm2mResourceType } from '../../core/contract/lwm2m.js';
import {
  blockOption,
  optionOf,
  optionsOf,
  readBlock,
  readUint,
  uintOption,
} from '../../core/protocols/coap/coap-options.js';
import { encodeWrite } from '../../core/protocols/lwm2m/payload-codec.js';
import { loadLwm2mDefinitions } from '../../core/protocols/lwm2m/lwm2m-definitions.js';

type Value = string | number | boolean;
const defs = loadLwm2mDefinitions();

export interface TestClientOptions {
  port: number;
  host?: string;
  endpoint: string;
  /** `/3/0/0` → value; the type comes from the object definitions unless given. */
  resources?: Record<string, Value | { type: Lwm2mResourceType; value: Value }>;
  /** Largest response payload before Block2 is used. */
  blockSize?: number;
  /**
   * A client without TLV or text that speaks only this content format (an LwM2M 1.1 client with SenML JSON):
   * a read or observe without Accept gets 5.00, one with another Accept 4.06; notifications use it too.
   */
  only?: 'senml-json';
}

export interface RecordedWrite {
  path: string;
  method: string;
  contentFormat: number | undefined;
  payload: Buffer;
}

export class Lwm2mTestClient {
  readonly writes: RecordedWrite[] = [];
  readonly executes: { path: string; args: string }[] = [];
  readonly requests: ParsedPacket[] = [];
  readonly observed = new Map<string, Buffer>();
  /** The Accept of each read and observe the server sent (undefined: none). */
  readonly accepts: (number | undefined)[] = [];
  readonly cancelled: string[] = [];
  location: string[] = [];
  private socket: Socket | undefined;
  private mid = randomBytes(2).readUInt16BE(0);
  private observeSeq = 2;
  private readonly pending = new Map<number, (p: ParsedPacket) => void>();
  private readonly resources = new Map<string, { type: Lwm2mResourceType; value: Value }>();
  private readonly block1 = new Map<string, Buffer[]>();

  constructor(private readonly options: TestClientOptions) {
    for (const [path, v] of Object.entries(options.resources ?? {})) this.set(path, v);
  }

  set(path: string, v: Value | { type: Lwm2mResourceType; value: Value }): void {
    if (typeof v === 'object') this.resources.set(path, v);
    else {
      const [o, , r] = path.split('/').slice(1).map(Number);
      const type = (defs.object(o!)?.resources.find((x) => x.id === r)?.type ?? 'string') as Lwm2mResourceType;
      this.resources.set(path, { type, value: v });
    }
  }

  async open(): Promise<void> {
    const s = createSocket(this.options.host?.includes(':') ? 'udp6' : 'udp4');
    this.socket = s;
    s.on('message', (m) => this.onMessage(m));
    await new Promise<void>((resolve) => s.bind(0, resolve));
  }

  get port(): number {
    return this.socket!.address().port;
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  send(packet: Packet): void {
    this.socket?.send(coapPacket.generate(packet), this.options.port, this.options.host ?? '127.0.0.1');
  }

  request(packet: Packet, timeoutMs = 3000): Promise<ParsedPacket> {
    const messageId = (this.mid = (this.mid + 1) & 0xffff);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(messageId);
        reject(new Error(`no answer to ${packet.code} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(messageId, (p) => {
        clearTimeout(timer);
        resolve(p);
      });
      this.send({ token: randomBytes(4), ...packet, messageId, confirmable: true });
    });
  }

  async register(lifetime = 300, links?: string, version = '1.1'): Promise<ParsedPacket> {
    const objects =
      links ??
      [...new Set([...this.resources.keys()].map((p) => p.split('/').slice(0, 3).join('/')))]
        .map((p) => `<${p}>`)
        .join(',');
    const answer = await this.request({
      code: 'POST',
      options: [
        { name: 'Uri-Path', value: Buffer.from('rd') },
        { name: 'Content-Format', value: uintOption(CF.link) },
        { name: 'Uri-Query', value: Buffer.from(`ep=${this.options.endpoint}`) },
        { name: 'Uri-Query', value: Buffer.from(`lt=${lifetime}`) },
        { name: 'Uri-Query', value: Buffer.from(`lwm2m=${version}`) },
        { name: 'Uri-Query', value: Buffer.from('b=U') },
      ],
      payload: Buffer.from(objects),
    });
    this.location = optionsOf(answer, 'Location-Path').map((b) => b.toString());
    return answer;
  }

  update(lifetime?: number): Promise<ParsedPacket> {
    return this.request({
      code: 'POST',
      options: [
        ...this.location.map((s) => ({ name: 'Uri-Path' as const, value: Buffer.from(s) })),
        ...(lifetime ? [{ name: 'Uri-Query' as const, value: Buffer.from(`lt=${lifetime}`) }] : []),
      ],
    });
  }

  deregister(): Promise<ParsedPacket> {
    return this.request({
      code: 'DELETE',
      options: this.location.map((s) => ({ name: 'Uri-Path' as const, value: Buffer.from(s) })),
    });
  }

  /** Sends a notification of an observed path: the path's current value(s), or the bytes given (opaque). */
  notify(path: string, bytes?: Uint8Array, confirmable = false): void {
    const token = this.observed.get(path);
    if (!token) throw new Error(`${path} is not observed`);
    if (bytes && this.options.only) this.set(path, { type: 'opaque', value: Buffer.from(bytes).toString('hex') });
    const body =
      bytes && !this.options.only
        ? { contentFormat: CF.opaque, payload: Buffer.from(bytes) }
        : this.encode(path, this.options.only ? CF[this.options.only] : undefined);
    const size = this.options.blockSize ?? 1024;
    // A body bigger than a block goes out as block 0; the server GETs the rest (RFC 7959 §3.4).
    const blocked = body.payload.length > size;
    this.send({
      messageId: (this.mid = (this.mid + 1) & 0xffff),
      token,
      confirmable,
      code: '2.05',
      options: [
        { name: 'Observe', value: uintOption(this.observeSeq++) },
        { name: 'Content-Format', value: uintOption(body.contentFormat) },
        ...(blocked ? [{ name: 'Block2' as const, value: blockOption({ num: 0, more: true, size }) }] : []),
      ],
      payload: blocked ? body.payload.subarray(0, size) : body.payload,
    });
  }

  private encode(path: string, accept: number | undefined): { contentFormat: number; payload: Buffer } {
    const under = [...this.resources.entries()].filter(([p]) => p === path || p.startsWith(path + '/'));
    const single = under.length === 1 && under[0]![0] === path ? under[0]![1] : undefined;
    if (single && (accept === undefined || accept === CF.opaque) && single.type === 'opaque')
      return { contentFormat: CF.opaque, payload: Buffer.from(String(single.value), 'hex') };
    if (single && (accept === undefined || accept === CF.text))
      return { contentFormat: CF.text, payload: Buffer.from(String(single.value)) };
    const format = accept === CF['senml-json'] ? 'senml-json' : accept === CF['senml-cbor'] ? 'senml-cbor' : 'tlv';
    const encoded = encodeWrite(
      defs,
      path.split('/').length >= 4 ? path : path,
      under.map(([p, v]) => ({ path: p, value: v.value, type: v.type })),
      format,
    );
    if (!encoded.ok) throw new Error(encoded.error.message);
    return { contentFormat: encoded.value.contentFormat, payload: Buffer.from(encoded.value.payload) };
  }

  private answer(to: ParsedPacket, code: string, options: Packet['options'] = [], payload?: Buffer): void {
    this.send({
      messageId: to.messageId,
      token: to.token,
      ack: true,
      code,
      options,
      payload: payload ?? Buffer.alloc(0),
    });
  }

  private onMessage(raw: Buffer): void {
    let p: ParsedPacket;
    try {
      p = coapPacket.parse(raw);
    } catch {
      return;
    }
    if (p.ack || p.reset) {
      if (p.reset) for (const [path, token] of this.observed) if (token.equals(p.token)) this.observed.delete(path);
      this.pending.get(p.messageId)?.(p);
      this.pending.delete(p.messageId);
      return;
    }
    this.requests.push(p);
    const path =
      '/' +
      optionsOf(p, 'Uri-Path')
        .map((b) => b.toString())
        .join('/');
    const acceptBytes = optionOf(p, 'Accept');
    const accept = acceptBytes ? readUint(acceptBytes) : undefined;
    if (p.code === '0.01') {
      const observe = optionOf(p, 'Observe');
      if (accept !== CF.link) this.accepts.push(accept);
      const only = this.options.only ? CF[this.options.only] : undefined;
      // A client of one format: without Accept its default (TLV) is missing, another Accept is not acceptable.
      if (only !== undefined && accept !== only && accept !== CF.link)
        return this.answer(p, accept === undefined ? '5.00' : '4.06');
      if (accept === CF.link) {
        const links = [...this.resources.keys()].filter((k) => k.startsWith(path + '/') || k === path);
        return this.answer(
          p,
          '2.05',
          [{ name: 'Content-Format', value: uintOption(CF.link) }],
          Buffer.from([`<${path}>`, ...links.map((l) => `<${l}>`)].join(',')),
        );
      }
      if (![...this.resources.keys()].some((k) => k === path || k.startsWith(path + '/')))
        return this.answer(p, '4.04');
      const body = this.encode(path, accept);
      const options: Packet['options'] = [{ name: 'Content-Format', value: uintOption(body.contentFormat) }];
      if (observe && readUint(observe) === 0) {
        this.observed.set(path, p.token);
        options.unshift({ name: 'Observe', value: uintOption(1) });
      } else if (observe && readUint(observe) === 1) {
        this.observed.delete(path);
        this.cancelled.push(path);
      }
      const size = this.options.blockSize ?? 1024;
      const asked = readBlock(optionOf(p, 'Block2'));
      if (body.payload.length > size || asked) {
        const blockSize = Math.min(size, asked?.size ?? size);
        const num = asked?.num ?? 0;
        const chunk = body.payload.subarray(num * blockSize, (num + 1) * blockSize);
        const more = (num + 1) * blockSize < body.payload.length;
        options.push({ name: 'Block2', value: blockOption({ num, more, size: blockSize }) });
        return this.answer(p, '2.05', options, chunk);
      }
      return this.answer(p, '2.05', options, body.payload);
    }
    if (p.code === '0.02' || p.code === '0.03') {
      const cf = optionOf(p, 'Content-Format');
      const block1 = readBlock(optionOf(p, 'Block1'));
      let payload = p.payload;
      if (block1) {
        const chunks = block1.num === 0 ? [] : (this.block1.get(path) ?? []);
        chunks.push(p.payload);
        this.block1.set(path, chunks);
        if (block1.more) return this.answer(p, '2.31', [{ name: 'Block1', value: blockOption(block1) }]);
        payload = Buffer.concat(chunks);
        this.block1.delete(path);
      }
      const def = this.resources.get(path);
      if (p.code === '0.02' && path.split('/').length === 4 && def?.type === 'none') {
        this.executes.push({ path, args: payload.toString() });
        return this.answer(p, '2.04');
      }
      this.writes.push({
        path,
        method: p.code === '0.02' ? 'POST' : 'PUT',
        contentFormat: cf ? readUint(cf) : undefined,
        payload,
      });
      return this.answer(p, '2.04', block1 ? [{ name: 'Block1', value: blockOption(block1) }] : []);
    }
    if (p.confirmable) this.answer(p, '4.05');
  }
}
