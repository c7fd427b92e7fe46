// The platform side of the bring-up flow: the device registry, this machine's CoAP address, and a watcher of CoAP
// frames and device/data events that tells when a module (ep = IMEI) registered over LwM2M and sent its first uplink.
import { networkInterfaces } from 'node:os';
import coapPacket, { type ParsedPacket } from 'coap-packet';
import type { EventBus } from '../bus/event-bus.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Device, RegisterDeviceBody } from '../contract/devices.js';
import type { BusEventMap } from '../contract/events.js';
import type { ProtocolType } from '../contract/product-model.js';
import type { BringUpEvidence, PlatformAddresses } from '../contract/serial.js';
import { deviceIdOf } from '../devices/index.js';
import type { BringUpPlatform, BringUpStepResult, WaitOptions } from './bring-up.js';

/** The part of the device registry the flow uses. */
export interface BringUpDeviceRegistry {
  get(deviceId: string): Device | undefined;
  findByNodeId(nodeId: string): Device[];
  register(input: RegisterDeviceBody): { device: Device };
}

export interface BringUpPlatformDeps {
  bus: EventBus;
  clock: Clock;
  devices: () => BringUpDeviceRegistry;
  product: (productId: string) => { protocolType: ProtocolType } | undefined;
  /** The CoAP listener's port and bind address, when one is bound. */
  coapListener: () => { port: number; address: string } | undefined;
}

const EVIDENCE_PER_ENDPOINT = 40;
const TRACKED_ENDPOINTS = 500;

const codeNames: Record<string, string> = {
  '0.01': 'GET',
  '0.02': 'POST',
  '0.03': 'PUT',
  '0.04': 'DELETE',
  '2.01': '2.01 Created',
  '2.02': '2.02 Deleted',
  '2.04': '2.04 Changed',
  '2.05': '2.05 Content',
  '4.00': '4.00 Bad Request',
  '4.03': '4.03 Forbidden',
  '4.04': '4.04 Not Found',
};

function optionTexts(packet: ParsedPacket, name: string): string[] {
  return packet.options.filter((o) => o.name === name).map((o) => o.value.toString('latin1'));
}

/** One line a technician reads: `POST /rd?ep=…&lt=86400`, `2.01 Created /rd/5a3f`, `2.05 Content 13 bytes 0100BC…`. */
export function summarizeCoap(packet: ParsedPacket): string {
  const code = codeNames[packet.code] ?? packet.code;
  const path = optionTexts(packet, 'Uri-Path').join('/');
  const query = optionTexts(packet, 'Uri-Query').join('&');
  const location = optionTexts(packet, 'Location-Path').join('/');
  const observe = packet.options.some((o) => o.name === 'Observe') ? ' observe' : '';
  const parts = [code];
  if (path) parts.push(`/${path}${query ? `?${query}` : ''}`);
  if (location) parts.push(`/${location}`);
  if (packet.payload.length > 0 && !packet.code.startsWith('0.') && path === '') {
    const hex = packet.payload.subarray(0, 32).toString('hex').toUpperCase();
    parts.push(`${packet.payload.length} bytes ${hex}${packet.payload.length > 32 ? '…' : ''}`);
  }
  return parts.join(' ') + observe;
}

function endpointOf(packet: ParsedPacket): string | undefined {
  const ep = optionTexts(packet, 'Uri-Query').find((q) => q.startsWith('ep='));
  return ep?.slice(3).replace(/^urn:imei:/, '');
}

interface EndpointTrace {
  evidence: Extract<BringUpEvidence, { kind: 'coap' | 'note' }>[];
  registeredAt?: number;
}

type Waiter = { matches: () => boolean; done: () => void; cancel: () => void };

/** Machine addresses a module can reach, loopback first; only loopback when the CoAP port is bound to it. */
export function reachableAddresses(bindAddress: string | undefined): PlatformAddresses['addresses'] {
  const all: PlatformAddresses['addresses'] = [];
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4') all.push({ host: a.address, interface: name, internal: a.internal });
    }
  }
  all.sort((a, b) => Number(b.internal) - Number(a.internal));
  const bound = bindAddress ?? '0.0.0.0';
  if (bound === '0.0.0.0' || bound === '::') return all;
  const exact = all.filter((a) => a.host === bound);
  return exact.length ? exact : [{ host: bound, interface: '', internal: bound.startsWith('127.') }];
}

export function createBringUpPlatform(deps: BringUpPlatformDeps): BringUpPlatform & { close(): void } {
  const { bus, clock } = deps;
  const traces = new Map<string, EndpointTrace>();
  /** Peer address → endpoint, learnt from its register request. */
  const peers = new Map<string, string>();
  /** `peer#messageId` of register requests waiting for their answer. */
  const registerRequests = new Map<string, string>();
  const waiters = new Set<Waiter>();
  let watchers = 0;
  let unsubscribe: (() => void) | undefined;

  const traceOf = (endpoint: string): EndpointTrace => {
    let trace = traces.get(endpoint);
    if (!trace) {
      if (traces.size >= TRACKED_ENDPOINTS) traces.clear();
      trace = { evidence: [] };
      traces.set(endpoint, trace);
    }
    return trace;
  };
  const wake = (): void => {
    for (const w of [...waiters]) if (w.matches()) w.done();
  };

  const onFrame = (frame: BusEventMap['frame']): void => {
    if (frame.protocol !== 'coap' || frame.transport !== 'udp') return;
    let packet: ParsedPacket;
    try {
      packet = coapPacket.parse(Buffer.from(frame.bytesBase64, 'base64'));
    } catch {
      return;
    }
    const key = `${frame.peer}#${packet.messageId}`;
    let endpoint = peers.get(frame.peer);
    let registered = false;
    if (frame.direction === 'in' && packet.code === '0.02' && optionTexts(packet, 'Uri-Path').join('/') === 'rd') {
      endpoint = endpointOf(packet);
      if (endpoint) {
        peers.set(frame.peer, endpoint);
        registerRequests.set(key, endpoint);
      }
    } else if (frame.direction === 'out' && registerRequests.has(key)) {
      endpoint = registerRequests.get(key);
      registerRequests.delete(key);
      registered = packet.code === '2.01';
    }
    if (!endpoint) return;
    const trace = traceOf(endpoint);
    trace.evidence.push({
      kind: 'coap',
      at: frame.at,
      direction: frame.direction,
      peer: frame.peer,
      summary: summarizeCoap(packet),
    });
    if (trace.evidence.length > EVIDENCE_PER_ENDPOINT) trace.evidence.shift();
    if (registered) trace.registeredAt = frame.at;
    if (registerRequests.size > 1000) registerRequests.clear();
    wake();
  };

  /** The LwM2M server's own account of registrations (and refusals with their reason). */
  const onRegistrationEvent = (event: BusEventMap['lwm2m']): void => {
    const trace = traceOf(event.endpoint.replace(/^urn:imei:/, ''));
    if (event.kind === 'registered') trace.registeredAt = Math.max(trace.registeredAt ?? 0, event.at);
    if (event.kind === 'refused') {
      trace.evidence.push({
        kind: 'note',
        at: event.at,
        text: `the LwM2M server refused ep=${event.endpoint}: ${event.reason ?? 'no reason given'}`,
      });
    }
    wake();
  };

  const startWatching = (): void => {
    const offFrame = bus.subscribe('frame', onFrame);
    const offLwm2m = bus.subscribe('lwm2m', onRegistrationEvent);
    unsubscribe = () => {
      offFrame();
      offLwm2m();
    };
  };

  /** Resolves true when `matches` holds (now or later), false on timeout or abort. */
  const waitUntil = (
    matches: () => boolean,
    { timeoutMs, signal }: WaitOptions,
  ): Promise<'ok' | 'timeout' | 'cancelled'> =>
    new Promise((resolve) => {
      if (matches()) return resolve('ok');
      if (signal?.aborted) return resolve('cancelled');
      const finish = (outcome: 'ok' | 'timeout' | 'cancelled'): void => {
        waiters.delete(waiter);
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const onAbort = (): void => finish('cancelled');
      const waiter: Waiter = { matches, done: () => finish('ok'), cancel: onAbort };
      waiters.add(waiter);
      const timer: TimerHandle = clock.setTimeout(() => finish('timeout'), timeoutMs);
      signal?.addEventListener('abort', onAbort);
    });

  const evidenceSince = (imei: string, since: number): BringUpEvidence[] =>
    (traces.get(imei)?.evidence ?? []).filter((e) => e.at >= since);

  return {
    productProblem(productId) {
      const product = deps.product(productId);
      if (!product) return { code: 'PRODUCT_NOT_FOUND', message: `no product has the id ${productId}` };
      if (product.protocolType !== 'CoAP' && product.protocolType !== 'LWM2M') {
        return {
          code: 'PRODUCT_NOT_LWM2M',
          message: `product ${productId} uses ${product.protocolType}; an NB-IoT module needs a CoAP/LwM2M product`,
        };
      }
      return undefined;
    },

    defaultServer() {
      const listener = deps.coapListener();
      const first = listener ? reachableAddresses(listener.address)[0] : undefined;
      return listener && first ? { host: first.host, port: listener.port } : undefined;
    },

    findDevice(productId, imei) {
      const device =
        deps.devices().get(deviceIdOf(productId, imei)) ??
        deps
          .devices()
          .findByNodeId(imei)
          .find((d) => d.productId === productId);
      return device ? { deviceId: device.deviceId, online: device.status === 'online' } : undefined;
    },

    findOrRegisterDevice(productId, imei) {
      const registry = deps.devices();
      const existing = registry.findByNodeId(imei);
      const mine = existing.find((d) => d.productId === productId);
      const note = (text: string): BringUpEvidence[] => [{ kind: 'note', at: clock.now(), text }];
      if (mine) {
        return {
          ok: true,
          value: { deviceId: mine.deviceId, created: false },
          evidence: note(`found device ${mine.deviceId}`),
        };
      }
      const other = existing[0];
      if (other) {
        return {
          ok: false,
          message: `IMEI ${imei} is already registered as device ${other.deviceId} of product ${other.productId}; the platform tells modules apart by IMEI, so delete that device or choose its product`,
          evidence: [],
        };
      }
      try {
        const { device } = registry.register({ productId, nodeId: imei, name: `NB-IoT ${imei}` });
        return {
          ok: true,
          value: { deviceId: device.deviceId, created: true },
          evidence: note(`registered device ${device.deviceId} (node ID ${imei}) under product ${productId}`),
        };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { ok: false, message: `registering ${imei} failed: ${message}`, evidence: [] };
      }
    },

    watch() {
      if (watchers++ === 0) startWatching();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (--watchers === 0) {
          unsubscribe?.();
          unsubscribe = undefined;
        }
      };
    },

    async waitForRegistration(deviceId, imei, options): Promise<BringUpStepResult<{ at: number }>> {
      let onlineAt: number | undefined;
      const offOnline = bus.subscribe('device', (e) => {
        if (e.deviceId !== deviceId || e.kind !== 'online' || e.at < options.since) return;
        onlineAt = e.at;
        wake();
      });
      const registeredAt = (): number | undefined => {
        const at = traces.get(imei)?.registeredAt;
        return at !== undefined && at >= options.since ? at : onlineAt;
      };
      const outcome = await waitUntil(() => registeredAt() !== undefined, options);
      offOnline();
      const evidence = evidenceSince(imei, options.since);
      const at = registeredAt();
      if (outcome === 'ok' && at !== undefined) return { ok: true, value: { at }, evidence };
      if (outcome === 'cancelled') return { ok: false, message: 'cancelled', evidence };
      const seconds = Math.round(options.timeoutMs / 1000);
      const refusal = evidence.find((e) => e.kind === 'note' && e.text.includes('refused'));
      const refusedCode = evidence.find(
        (e) => e.kind === 'coap' && e.direction === 'out' && /^4\.\d\d/.test(e.summary),
      );
      const refused = refusal?.kind === 'note' ? refusal.text : refusedCode?.kind === 'coap' ? refusedCode.summary : '';
      return {
        ok: false,
        message: refused
          ? `the platform refused the registration of ep=${imei} (${refused})`
          : evidence.length
            ? `ep=${imei} sent CoAP messages but no registration was accepted within ${seconds} s`
            : `no LwM2M registration from ep=${imei} within ${seconds} s: check the CDP address and that the module has coverage`,
        evidence,
      };
    },

    async waitForDecodedUplink(deviceId, imei, options) {
      let first: BusEventMap['data'] | undefined;
      const offData = bus.subscribe('data', (e) => {
        if (first || e.deviceId !== deviceId || e.at < options.since) return;
        first = e;
        wake();
      });
      const outcome = await waitUntil(() => first !== undefined, options);
      offData();
      const evidence = evidenceSince(imei, options.since);
      if (outcome === 'ok' && first)
        return { ok: true, value: { serviceId: first.serviceId, data: first.data }, evidence };
      if (outcome === 'cancelled') return { ok: false, message: 'cancelled', evidence };
      const seconds = Math.round(options.timeoutMs / 1000);
      const notifies = evidence.filter(
        (e) => e.kind === 'coap' && e.direction === 'in' && e.summary.startsWith('2.05'),
      );
      return {
        ok: false,
        message: notifies.length
          ? `the module sent ${notifies.length} uplink(s) but none was decoded by the product's codec within ${seconds} s (is a codec active for the product?)`
          : `no uplink from ep=${imei} within ${seconds} s`,
        evidence,
      };
    },

    close() {
      for (const w of [...waiters]) w.cancel();
      unsubscribe?.();
      unsubscribe = undefined;
      watchers = 0;
    },
  };
}
