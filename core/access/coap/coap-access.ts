// CoAP/LwM2M device access: the LwM2M server on the platform's `coap` UDP port — registration interface, device
// management operations, object 19 data through the product codec, traffic frames and short-connection status.
import type { Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { ParsedPacket } from 'coap-packet';
import { HttpError } from '../../api/http-error.js';
import type { Capability } from '../../capability.js';
import type { Clock } from '../../clock.js';
import type { EventBus } from '../../bus/event-bus.js';
import {
  lwm2mContentFormats,
  lwm2mRoutes,
  type Lwm2mObservation,
  type Lwm2mOperation,
  type Lwm2mOperationResult,
  type Lwm2mRegistrationEvent,
  type Lwm2mValue,
  type Lwm2mValueEvent,
} from '../../contract/lwm2m.js';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { DeviceStatusEngine } from '../../devices/device-status.js';
import type { Logger } from '../../log/logger.js';
import { coapCodeName } from '../../protocols/coap/coap-codes.js';
import { loadLwm2mDefinitions, type Lwm2mDefinitions } from '../../protocols/lwm2m/lwm2m-definitions.js';
import {
  CoapRequestError,
  createCoapEndpoint,
  peerKey,
  type CoapEndpoint,
  type CoapOption,
  type IncomingRequest,
  type Peer,
  type RequestSpec,
} from './coap-endpoint.js';
import {
  blockOption,
  optionOf,
  optionsOf,
  readBlock,
  readUint,
  uintOption,
} from '../../protocols/coap/coap-options.js';
import { parseLinkFormat, registeredObjects } from '../../protocols/lwm2m/link-format.js';
import { Lwm2mServerError, type Lwm2mServer } from '../../device-link/lwm2m-link.js';
import { CF, contentFormatName, decodePayload, encodeWrite, pathIds } from '../../protocols/lwm2m/payload-codec.js';
import { Lwm2mRefusalLog, refusalsMigration } from './refusal-log.js';
import { RegistrationStore, registrationsMigration } from './registration-store.js';
import { Registrations, type LiveRegistration } from './registrations.js';
import type { UplinkPipeline } from '../../data/uplink-pipeline.js';
import type { DeviceLinkReports } from '../../device-link/index.js';

export interface CoapAccessDeps {
  devices: () => DeviceRegistry;
  status: () => DeviceStatusEngine;
  /** Object 19 data goes through the one uplink pipeline (codec, model checks, errors, ingest). */
  uplink: UplinkPipeline;
  /** Presence (online, reported, re-registered, offline) and device responses, for queues that wait on devices. */
  link: DeviceLinkReports;
  definitions?: Lwm2mDefinitions;
  /** RFC 7252 ACK_TIMEOUT for our CON requests (default 2 s). */
  ackTimeoutMs?: number;
  /** Default wait for a device's answer (default 30 s). */
  requestTimeoutMs?: number;
}

export interface CoapAccessCapability extends Capability {
  server: Lwm2mServer;
  /** Application bytes a device sent on /19/0/0 (business data and PCP frames alike), before the codec. */
  onAppData(listener: (deviceId: string, bytes: Uint8Array) => void): () => void;
}

const DEFAULT_LIFETIME_S = 86_400;
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
const CONTACT_EVERY_MS = 30_000;
const MAX_LIFETIME_S = 0xffffffff;
const APP_DATA_PATH = '/19/0/0';
const DOWNLINK_PATH = '/19/1/0';
/** PCP frames share object 19 with business data and start with FF FE (facts §5.3): not for the codec. */
const isPcpFrame = (b: Uint8Array) => b.length >= 2 && b[0] === 0xff && b[1] === 0xfe;

interface ObservationState {
  view: Lwm2mObservation;
  token: Buffer;
  peer: Peer;
}

function queryParams(packet: ParsedPacket): Map<string, string> {
  const params = new Map<string, string>();
  for (const q of optionsOf(packet, 'Uri-Query')) {
    const text = q.toString('utf8');
    const eq = text.indexOf('=');
    params.set(eq < 0 ? text : text.slice(0, eq), eq < 0 ? '' : text.slice(eq + 1));
  }
  return params;
}

function parseLifetime(text: string | undefined): number | undefined | 'invalid' {
  if (text === undefined) return undefined;
  if (!/^\d{1,10}$/.test(text)) return 'invalid';
  const n = Number(text);
  return n >= 1 && n <= MAX_LIFETIME_S ? n : 'invalid';
}

export function createCoapAccessCapability(deps: CoapAccessDeps): CoapAccessCapability {
  const definitions = deps.definitions ?? loadLwm2mDefinitions();
  const registrationListeners = new Set<(e: Lwm2mRegistrationEvent) => void>();
  const notificationListeners = new Set<(e: Lwm2mValueEvent) => void>();
  const appDataListeners = new Set<(deviceId: string, bytes: Uint8Array) => void>();
  const observations = new Map<string, Map<string, ObservationState>>();
  const deviceAtPeer = new Map<string, string>();
  let endpoint: CoapEndpoint | undefined;
  let registrations: Registrations | undefined;
  let store: RegistrationStore | undefined;
  let clock: Clock | undefined;
  let bus: EventBus | undefined;
  let log: Logger | undefined;
  let unsubscribeRegistry: (() => void) | undefined;
  const requestTimeout = deps.requestTimeoutMs ?? 30_000;
  const lastContact = new Map<string, number>();

  /** Feeds the status engine: registrations always, notifications at most every CONTACT_EVERY_MS per device
   * (the short-connection rules count hours; a SQLite write per notification would cap the notification rate). */
  const contact = (deviceId: string, always = false) => {
    const now = clock!.now();
    const last = lastContact.get(deviceId);
    if (!always && last !== undefined && now - last < CONTACT_EVERY_MS && now >= last) return;
    lastContact.set(deviceId, now);
    deps.status().reported(deviceId);
  };

  const emitRegistration = (event: Lwm2mRegistrationEvent) => {
    bus?.publish('lwm2m', event);
    for (const l of [...registrationListeners]) l(event);
  };

  const dropObservations = (deviceId: string) => {
    const forDevice = observations.get(deviceId);
    if (!forDevice) return;
    for (const o of forDevice.values()) endpoint?.forgetToken(o.peer, o.token);
    observations.delete(deviceId);
  };

  /** Writes a device's registration and observations (or their absence) to SQLite at the end of the tick. */
  const persist = (deviceId: string) => {
    const r = registrations?.get(deviceId);
    if (!r) return store?.remove(deviceId);
    store?.save({
      productId: r.productId,
      rootPath: r.rootPath,
      peer: r.peer,
      expiresAtMs: r.expiresAtMs,
      view: r.view,
      observations: [...(observations.get(deviceId)?.values() ?? [])].map((o) => ({
        path: o.view.path,
        tokenHex: o.view.tokenHex,
        since: o.view.since,
      })),
    });
  };

  const ended = (r: LiveRegistration, kind: 'deregistered' | 'expired') => {
    dropObservations(r.view.deviceId);
    persist(r.view.deviceId);
    if (deviceAtPeer.get(peerKey(r.peer)) === r.view.deviceId) deviceAtPeer.delete(peerKey(r.peer));
    emitRegistration({
      at: clock!.now(),
      kind,
      endpoint: r.view.endpoint,
      deviceId: r.view.deviceId,
      registration: r.view,
    });
  };

  const requireRegistration = (deviceId: string): LiveRegistration => {
    const r = registrations?.get(deviceId);
    if (!endpoint || !r)
      throw new Lwm2mServerError('NOT_REGISTERED', `${deviceId} is not registered with the LwM2M server`);
    return r;
  };

  const uriPath = (r: LiveRegistration, path: string): CoapOption[] => [
    ...r.rootPath
      .split('/')
      .filter(Boolean)
      .map((s) => ({ name: 'Uri-Path' as const, value: Buffer.from(s) })),
    ...pathIds(path).map((id) => ({ name: 'Uri-Path' as const, value: Buffer.from(String(id)) })),
  ];

  const checkPath = (path: string) => {
    if (!/^(\/\d{1,5}){1,4}$/.test(path) || pathIds(path).some((n) => n > 65535))
      throw new Lwm2mServerError('BAD_REQUEST', `${path} is not an LwM2M path /o[/i[/r[/ri]]]`);
  };

  const result = (
    op: Lwm2mOperation,
    path: string,
    packet: ParsedPacket,
    payload: Buffer,
    started: number,
  ): Lwm2mOperationResult => {
    const cfBytes = optionOf(packet, 'Content-Format');
    const contentFormat = cfBytes ? readUint(cfBytes) : undefined;
    const name = contentFormatName(contentFormat);
    const ok = packet.code.startsWith('2.');
    const decoded =
      ok && (op === 'read' || op === 'observe' || op === 'discover')
        ? decodePayload(definitions, path, contentFormat, payload)
        : {};
    return {
      op,
      path,
      code: packet.code,
      codeName: coapCodeName(packet.code),
      ok,
      ...(contentFormat !== undefined ? { contentFormat } : {}),
      ...(name ? { contentFormatName: name } : {}),
      payloadHex: payload.toString('hex'),
      ...decoded,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    };
  };

  const send = async (
    deviceId: string,
    op: Lwm2mOperation,
    path: string,
    spec: Omit<RequestSpec, 'options'> & { options?: CoapOption[] },
    timeoutMs: number | undefined,
  ) => {
    checkPath(path);
    const r = requireRegistration(deviceId);
    const started = performance.now();
    try {
      const answer = await endpoint!.request(
        r.peer,
        { ...spec, options: [...uriPath(r, path), ...(spec.options ?? [])] },
        timeoutMs ?? requestTimeout,
      );
      return { answer, result: result(op, path, answer.packet, answer.payload, started), registration: r };
    } catch (error) {
      if (error instanceof CoapRequestError)
        throw new Lwm2mServerError(
          error.code === 'TIMEOUT' ? 'TIMEOUT' : error.code === 'STOPPED' ? 'STOPPED' : 'RESET',
          `${op} ${path} on ${deviceId}: ${error.message}`,
        );
      throw error;
    }
  };

  const accept = (name: keyof typeof lwm2mContentFormats | undefined): CoapOption[] =>
    name ? [{ name: 'Accept', value: uintOption(lwm2mContentFormats[name]) }] : [];

  const onNotification = (deviceId: string, path: string, state: ObservationState, packet: ParsedPacket) => {
    const c = clock!;
    if (!packet.code.startsWith('2.')) {
      // An error notification ends the observation (RFC 7641 §3.2).
      endpoint?.forgetToken(state.peer, state.token);
      observations.get(deviceId)?.delete(path);
      persist(deviceId);
      return;
    }
    const block2 = readBlock(optionOf(packet, 'Block2'));
    const r = registrations?.get(deviceId);
    if (block2?.more && r && endpoint) {
      // A notification too big for one datagram carries its first block; the rest is fetched (RFC 7959 §3.4).
      endpoint
        .request(
          state.peer,
          {
            code: 'GET',
            options: [
              ...uriPath(r, path),
              { name: 'Block2', value: blockOption({ num: 1, more: false, size: block2.size }) },
            ],
          },
          requestTimeout,
        )
        .then(
          (rest) => notified(deviceId, path, state, packet, Buffer.concat([packet.payload, rest.payload]), c),
          (e: unknown) =>
            log?.info(
              `fetching the rest of a notification of ${path} from ${deviceId} failed: ${e instanceof Error ? e.message : String(e)}`,
            ),
        );
      return;
    }
    notified(deviceId, path, state, packet, packet.payload, c);
  };

  const notified = (
    deviceId: string,
    path: string,
    state: ObservationState,
    packet: ParsedPacket,
    payload: Buffer,
    c: Clock,
  ) => {
    const cfBytes = optionOf(packet, 'Content-Format');
    const contentFormat = cfBytes ? readUint(cfBytes) : undefined;
    const observe = optionOf(packet, 'Observe');
    const decoded = decodePayload(definitions, path, contentFormat, payload);
    const at = c.now();
    state.view.notifications++;
    state.view.lastAt = new Date(at).toISOString();
    state.view.lastPayloadHex = payload.toString('hex');
    if (decoded.values) state.view.lastValues = decoded.values;
    contact(deviceId);
    const event: Lwm2mValueEvent = {
      at,
      deviceId,
      path,
      ...(observe ? { seq: readUint(observe) } : {}),
      ...(contentFormat !== undefined ? { contentFormat } : {}),
      payloadHex: state.view.lastPayloadHex,
      ...(decoded.values ? { values: decoded.values } : {}),
      ...(decoded.decodeError ? { decodeError: decoded.decodeError } : {}),
    };
    bus?.publish('lwm2mValue', event);
    for (const l of [...notificationListeners]) l(event);
    if (path === APP_DATA_PATH)
      for (const bytes of appDataFrames(contentFormat, payload, decoded.values)) void appData(deviceId, bytes);
  };

  /** The bytes of a /19/0/0 notification: opaque as is; TLV or SenML: each Data resource instance. */
  const appDataFrames = (
    contentFormat: number | undefined,
    payload: Buffer,
    values: Lwm2mValue[] | undefined,
  ): Uint8Array[] => {
    // The payload is a view of its own datagram's buffer, so listeners may keep it without a copy.
    if (contentFormat === undefined || contentFormat === CF.opaque) return payload.length ? [payload] : [];
    return (values ?? [])
      .filter((v) => v.type === 'opaque' && typeof v.value === 'string' && v.value.length > 0)
      .map((v) => Uint8Array.from(Buffer.from(v.value as string, 'hex')));
  };

  const appData = async (deviceId: string, bytes: Uint8Array) => {
    for (const l of [...appDataListeners]) l(deviceId, bytes);
    if (isPcpFrame(bytes)) return;
    const productId = registrations?.get(deviceId)?.productId;
    if (!productId) return;
    try {
      await deps.uplink.decode({ deviceId, productId }, APP_DATA_PATH, bytes);
    } catch (error) {
      log?.error({ err: error }, `storing object 19 data of ${deviceId} failed`);
    }
  };

  const server: Lwm2mServer = {
    registration: (deviceId) => registrations?.get(deviceId)?.view,
    registrations: () => registrations?.all().map((r) => r.view) ?? [],
    observations: (deviceId) => [...(observations.get(deviceId)?.values() ?? [])].map((o) => o.view),
    onRegistration(listener) {
      registrationListeners.add(listener);
      return () => registrationListeners.delete(listener);
    },
    onNotification(listener) {
      notificationListeners.add(listener);
      return () => notificationListeners.delete(listener);
    },

    async read(deviceId, path, options = {}) {
      return (await send(deviceId, 'read', path, { code: 'GET', options: accept(options.accept) }, options.timeoutMs))
        .result;
    },

    async discover(deviceId, path, options = {}) {
      return (await send(deviceId, 'discover', path, { code: 'GET', options: accept('link') }, options.timeoutMs))
        .result;
    },

    async write(deviceId, path, input, options = {}) {
      checkPath(path);
      let contentFormat: number;
      let payload: Uint8Array;
      if ('payload' in input) {
        contentFormat = lwm2mContentFormats[input.contentFormat ?? 'opaque'];
        payload = input.payload;
      } else {
        const encoded = encodeWrite(definitions, path, input.values, input.contentFormat);
        if (!encoded.ok) throw new Lwm2mServerError('BAD_REQUEST', `${encoded.error.code}: ${encoded.error.message}`);
        ({ contentFormat, payload } = encoded.value);
      }
      const spec = {
        code: input.mode === 'partial' ? 'POST' : 'PUT',
        options: [{ name: 'Content-Format' as const, value: uintOption(contentFormat) }],
        payload: Buffer.from(payload),
      };
      return (await send(deviceId, 'write', path, spec, options.timeoutMs)).result;
    },

    async execute(deviceId, path, args, options = {}) {
      const spec = { code: 'POST', ...(args ? { payload: Buffer.from(args) } : {}) };
      return (await send(deviceId, 'execute', path, spec, options.timeoutMs)).result;
    },

    async observe(deviceId, path, options = {}) {
      checkPath(path);
      const existing = observations.get(deviceId)?.get(path);
      if (existing) endpoint?.forgetToken(existing.peer, existing.token);
      observations.get(deviceId)?.delete(path);
      const observation: { state?: ObservationState } = {};
      const pending: ParsedPacket[] = [];
      const {
        answer,
        result: r,
        registration,
      } = await send(
        deviceId,
        'observe',
        path,
        {
          code: 'GET',
          options: [{ name: 'Observe', value: uintOption(0) }, ...accept(options.accept)],
          onNotify: (p) => (observation.state ? onNotification(deviceId, path, observation.state, p) : pending.push(p)),
        },
        options.timeoutMs,
      );
      if (!r.ok || !optionOf(answer.packet, 'Observe')) {
        endpoint?.forgetToken(registration.peer, answer.token);
        if (existing) persist(deviceId);
        return r;
      }
      const state: ObservationState = {
        token: answer.token,
        peer: registration.peer,
        view: {
          path,
          tokenHex: answer.token.toString('hex'),
          since: new Date(clock!.now()).toISOString(),
          notifications: 0,
          ...(r.values ? { lastValues: r.values } : {}),
          ...(answer.payload.length ? { lastPayloadHex: answer.payload.toString('hex') } : {}),
        },
      };
      let forDevice = observations.get(deviceId);
      if (!forDevice) observations.set(deviceId, (forDevice = new Map<string, ObservationState>()));
      forDevice.set(path, state);
      observation.state = state;
      persist(deviceId);
      for (const p of pending) onNotification(deviceId, path, state, p);
      return r;
    },

    async cancelObserve(deviceId, path, options = {}) {
      checkPath(path);
      const existing = observations.get(deviceId)?.get(path);
      observations.get(deviceId)?.delete(path);
      // RFC 7641 §3.6: a GET with Observe=1 and the observation's token cancels it.
      const { result: r } = await send(
        deviceId,
        'cancel-observe',
        path,
        {
          code: 'GET',
          options: [{ name: 'Observe', value: uintOption(1) }],
          ...(existing ? { token: existing.token } : {}),
        },
        options.timeoutMs,
      );
      if (existing) endpoint?.forgetToken(existing.peer, existing.token);
      persist(deviceId);
      return r;
    },

    writeDownlink(deviceId, bytes, options = {}) {
      return server.write(deviceId, DOWNLINK_PATH, { payload: bytes, contentFormat: 'opaque' }, options);
    },
  };

  const handleRegistrationInterface = (req: IncomingRequest, refusals: Lwm2mRefusalLog) => {
    const { packet, peer } = req;
    const path = optionsOf(packet, 'Uri-Path').map((b) => b.toString('utf8'));
    const c = clock!;
    const address = peerKey(peer);
    if (path[0] !== 'rd') return req.respond({ code: '4.04' });
    const params = queryParams(packet);
    const bad = (reason: string) => req.respond({ code: '4.00', payload: Buffer.from(reason) });

    if (path.length === 1) {
      if (packet.code !== '0.02') return req.respond({ code: '4.05' });
      const ep = params.get('ep');
      const refuse = (code: string, reason: string) => {
        refusals.record({ endpoint: ep ?? '', peer: address, reason });
        emitRegistration({ at: c.now(), kind: 'refused', endpoint: ep ?? '', reason });
        log?.info(`lwm2m registration of ${ep ?? '?'} from ${address} refused: ${reason}`);
        req.respond({ code, payload: Buffer.from(reason) });
      };
      if (!ep) return refuse('4.00', 'the registration has no endpoint name (ep)');
      const lifetime = parseLifetime(params.get('lt'));
      if (lifetime === 'invalid') return refuse('4.00', `lifetime lt=${params.get('lt')} is not 1..4294967295 seconds`);
      const bodyText = req.payload.toString('utf8');
      const links = parseLinkFormat(bodyText);
      if (!links.ok) return refuse('4.00', `the object list is not link format: ${links.error.message}`);
      const registry = deps.devices();
      const bare = ep.startsWith('urn:imei:') ? ep.slice('urn:imei:'.length) : ep;
      let candidates = registry.findByNodeId(ep);
      if (candidates.length === 0) candidates = registry.findByNodeId(bare === ep ? `urn:imei:${ep}` : bare);
      if (candidates.length === 0) return refuse('4.03', `no device is registered with nodeId ${ep}`);
      if (candidates.length > 1) return refuse('4.03', `nodeId ${ep} is registered for several products`);
      const device = candidates[0]!;
      if (device.protocolType === 'MQTT') return refuse('4.03', `${device.deviceId} is an MQTT device, not LwM2M`);
      const objects = registeredObjects(links.value);
      const { registration, replaced } = registrations!.register({
        deviceId: device.deviceId,
        productId: device.productId,
        endpoint: ep,
        lifetime: lifetime ?? DEFAULT_LIFETIME_S,
        lwm2mVersion: params.get('lwm2m') || '1.0',
        binding: params.get('b') || 'U',
        peer,
        address,
        objectLinks: bodyText,
        objects: objects.objects,
        rootPath: objects.rootPath,
      });
      if (replaced) {
        dropObservations(device.deviceId);
        if (deviceAtPeer.get(peerKey(replaced.peer)) === device.deviceId) deviceAtPeer.delete(peerKey(replaced.peer));
      }
      deviceAtPeer.set(address, device.deviceId);
      persist(device.deviceId);
      req.respond({
        code: '2.01',
        options: registration.view.location
          .split('/')
          .filter(Boolean)
          .map((s) => ({ name: 'Location-Path' as const, value: Buffer.from(s) })),
      });
      contact(device.deviceId, true);
      emitRegistration({
        at: c.now(),
        kind: 'registered',
        endpoint: ep,
        deviceId: device.deviceId,
        registration: registration.view,
      });
      if (objects.objects.some((o) => o.objectId === 19 && (o.instanceId ?? 0) === 0)) {
        // After the 2.01 is on the wire: the device must know it is registered before it is observed.
        setImmediate(() => {
          if (registrations?.get(device.deviceId) !== registration) return;
          server.observe(device.deviceId, APP_DATA_PATH).then(
            (r) => !r.ok && log?.info(`${device.deviceId} refused the observe of ${APP_DATA_PATH}: ${r.code}`),
            (e: unknown) =>
              log?.info(
                `observing ${APP_DATA_PATH} of ${device.deviceId} failed: ${e instanceof Error ? e.message : String(e)}`,
              ),
          );
        });
      }
      return;
    }

    const registration = path.length === 2 ? registrations!.atLocation(path[1]!) : undefined;
    if (!registration) return req.respond({ code: '4.04', payload: Buffer.from('no such registration') });
    const deviceId = registration.view.deviceId;
    if (packet.code === '0.04') {
      registrations!.remove(deviceId);
      req.respond({ code: '2.02' });
      return ended(registration, 'deregistered');
    }
    if (packet.code !== '0.02') return req.respond({ code: '4.05' });
    const lifetime = parseLifetime(params.get('lt'));
    if (lifetime === 'invalid') return bad(`lifetime lt=${params.get('lt')} is not 1..4294967295 seconds`);
    let objectChanges = {};
    if (req.payload.length) {
      const links = parseLinkFormat(req.payload.toString('utf8'));
      if (!links.ok) return bad(`the object list is not link format: ${links.error.message}`);
      objectChanges = { objectLinks: req.payload.toString('utf8'), objects: registeredObjects(links.value).objects };
    }
    const moved = peerKey(registration.peer) !== address;
    if (moved && deviceAtPeer.get(peerKey(registration.peer)) === deviceId)
      deviceAtPeer.delete(peerKey(registration.peer));
    registrations!.update(registration, {
      ...(lifetime !== undefined ? { lifetime } : {}),
      ...(params.get('b') ? { binding: params.get('b')! } : {}),
      peer,
      address,
      ...objectChanges,
    });
    deviceAtPeer.set(address, deviceId);
    // A device behind NAT that moved keeps its observations: their notifications now come from the new address.
    if (moved)
      for (const o of observations.get(deviceId)?.values() ?? []) {
        endpoint?.forgetToken(o.peer, o.token);
        o.peer = peer;
        endpoint?.listen(peer, o.token, (p) => onNotification(deviceId, o.view.path, o, p));
      }
    persist(deviceId);
    req.respond({ code: '2.04' });
    contact(deviceId, true);
    emitRegistration({
      at: c.now(),
      kind: 'updated',
      endpoint: registration.view.endpoint,
      deviceId,
      registration: registration.view,
    });
  };

  /** Registrations saved before a restart whose lifetime has not ended, with their observations' tokens, so the
   * devices' next notifications and updates are understood without a new registration. */
  const restoreRegistrations = (saved: RegistrationStore) => {
    let restored = 0;
    for (const { observations: observed, ...r } of saved.load(clock!.now())) {
      const deviceId = r.view.deviceId;
      if (deps.devices().get(deviceId)?.productId !== r.productId) {
        saved.remove(deviceId);
        continue;
      }
      const live: LiveRegistration = r;
      if (!registrations!.restore(live)) continue;
      deviceAtPeer.set(r.view.address, deviceId);
      const forDevice = new Map<string, ObservationState>();
      for (const o of observed) {
        const state: ObservationState = {
          token: Buffer.from(o.tokenHex, 'hex'),
          peer: live.peer,
          view: { path: o.path, tokenHex: o.tokenHex, since: o.since, notifications: 0 },
        };
        forDevice.set(o.path, state);
        endpoint?.listen(live.peer, state.token, (p) => onNotification(deviceId, o.path, state, p));
      }
      if (forDevice.size) observations.set(deviceId, forDevice);
      restored++;
    }
    if (restored) log?.info(`${restored} LwM2M registration(s) restored from before the restart`);
  };

  const toHttp = (error: unknown): never => {
    if (error instanceof Lwm2mServerError) {
      if (error.code === 'NOT_REGISTERED') throw new HttpError(409, 'LWM2M_NOT_REGISTERED', error.message, 'params.id');
      if (error.code === 'TIMEOUT') throw new HttpError(504, 'LWM2M_TIMEOUT', error.message);
      if (error.code === 'BAD_REQUEST') throw new HttpError(400, 'LWM2M_BAD_REQUEST', error.message, 'body');
      throw new HttpError(502, `LWM2M_${error.code}`, error.message);
    }
    throw error;
  };

  const capability: CoapAccessCapability = {
    name: 'coap-access',
    migrations: [refusalsMigration, registrationsMigration],
    server,

    onAppData(listener) {
      appDataListeners.add(listener);
      return () => appDataListeners.delete(listener);
    },

    start(ctx) {
      clock = ctx.clock;
      bus = ctx.bus;
      log = ctx.logger;
      const refusals = new Lwm2mRefusalLog(ctx.db, ctx.clock);
      registrations = new Registrations(ctx.clock, (r) => {
        log?.info(`lwm2m registration of ${r.view.deviceId} expired after ${r.view.lifetime} s`);
        ended(r, 'expired');
      });
      store = new RegistrationStore(ctx.db, (error) => log?.error({ err: error }, 'saving LwM2M registrations failed'));

      ctx.routes.add(lwm2mRoutes.listLwm2mObjects, () => ({ items: definitions.all() }));
      ctx.routes.add(lwm2mRoutes.listLwm2mRefusals, ({ query }) => ({ items: refusals.list(query.limit) }));
      ctx.routes.add(lwm2mRoutes.getLwm2mRegistration, ({ params }) => {
        deps.devices().require(params.id);
        const registration = server.registration(params.id);
        return { ...(registration ? { registration } : {}), observations: server.observations(params.id) };
      });
      ctx.routes.add(lwm2mRoutes.runLwm2mOperation, async ({ params, body }) => {
        deps.devices().require(params.id);
        const id = params.id;
        try {
          switch (body.op) {
            case 'read':
              return await server.read(id, body.path, body.accept ? { accept: body.accept } : {});
            case 'discover':
              return await server.discover(id, body.path);
            case 'observe':
              return await server.observe(id, body.path, body.accept ? { accept: body.accept } : {});
            case 'cancel-observe':
              return await server.cancelObserve(id, body.path);
            case 'execute':
              return await server.execute(id, body.path, body.args);
            case 'write': {
              const format = body.contentFormat ? { contentFormat: body.contentFormat } : {};
              if (body.payloadHex !== undefined)
                return await server.write(id, body.path, {
                  payload: Buffer.from(body.payloadHex, 'hex'),
                  mode: body.mode,
                  ...format,
                });
              if (!body.values?.length)
                throw new HttpError(400, 'LWM2M_NOTHING_TO_WRITE', 'a write needs values or payloadHex', 'body.values');
              return await server.write(id, body.path, { values: body.values, mode: body.mode, ...format });
            }
          }
        } catch (error) {
          return toHttp(error);
        }
      });

      unsubscribeRegistry = deps.devices().onChange((change) => {
        if (change.kind !== 'deleted') return;
        const r = registrations?.remove(change.deviceId);
        if (r) ended(r, 'deregistered');
      });

      const listener = ctx.ports.udp('coap');
      if (!listener) {
        log.warn('no CoAP port is bound: LwM2M device access is off');
        return;
      }
      listener.serve();
      const socket: Socket = listener.socket;
      // A fleet registering at once (power cut over, bench) overflows the default 208 KiB receive buffer.
      try {
        socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
      } catch (error) {
        log.info(
          `could not enlarge the CoAP receive buffer: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const own = socket.address();
      const local = peerKey({ address: own.address, port: own.port });
      endpoint = createCoapEndpoint({
        socket,
        clock: ctx.clock,
        ...(deps.ackTimeoutMs !== undefined ? { ackTimeoutMs: deps.ackTimeoutMs } : {}),
        onRequest: (req) => {
          try {
            handleRegistrationInterface(req, refusals);
          } catch (error) {
            log?.error({ err: error }, `handling a CoAP request from ${peerKey(req.peer)} failed`);
            req.respond({ code: '5.00' });
          }
        },
        onDatagram: (direction, bytes, peer) => {
          // Capture off and no live reader: two events per notification nobody would read.
          if (!ctx.bus.hasListeners('frame')) return;
          const pk = peerKey(peer);
          const deviceId = deviceAtPeer.get(pk);
          ctx.bus.publish('frame', {
            at: ctx.clock.now(),
            direction,
            transport: 'udp',
            protocol: 'coap',
            local,
            peer: pk,
            ...(deviceId ? { deviceId } : {}),
            connectionId: `udp ${pk}`,
            bytesBase64: bytes.toString('base64'),
          });
        },
        onMalformed: (peer, bytes, reason) =>
          log?.info(`malformed CoAP datagram (${bytes.length} bytes) from ${peerKey(peer)}: ${reason}`),
      });
      restoreRegistrations(store);
    },

    stop() {
      store?.flush();
      store = undefined;
      unsubscribeRegistry?.();
      endpoint?.close();
      endpoint = undefined;
      registrations?.clear();
      observations.clear();
      deviceAtPeer.clear();
      lastContact.clear();
    },
  };
  return capability;
}
