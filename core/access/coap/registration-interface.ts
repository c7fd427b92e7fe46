// The LwM2M registration interface on /rd: register (POST /rd?ep=…), update (POST /rd/<id>) and deregister
// (DELETE /rd/<id>); registrations that end; and the ones restored after a restart.
import type { ParsedPacket } from 'coap-packet';
import { optionsOf } from '../../protocols/coap/coap-options.js';
import { parseLinkFormat, registeredObjects } from '../../protocols/lwm2m/link-format.js';
import type { CoapAccessState } from './coap-access-state.js';
import { peerKey, type IncomingRequest } from './coap-messages.js';
import type { Lwm2mRefusalLog } from './refusal-log.js';
import type { RegistrationStore } from './registration-store.js';
import type { LiveRegistration } from './registrations.js';
import type { Lwm2mObservations } from './lwm2m-observations.js';

const DEFAULT_LIFETIME_S = 86_400;
const MAX_LIFETIME_S = 0xffffffff;
const ECHO_MAX_CHARS = 64;

/** What an answer quotes of the device's input, bounded: a refusal must fit in one datagram whatever was sent. */
export const echo = (text: string): string =>
  text.length > ECHO_MAX_CHARS ? `${text.slice(0, ECHO_MAX_CHARS)}…` : text;

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

export interface RegistrationInterface {
  /** A request from a device: /rd is the only resource the server has. */
  handle(req: IncomingRequest, refusals: Lwm2mRefusalLog): void;
  /** A registration that is over: deregistered (or its device deleted) or expired. */
  ended(r: LiveRegistration, kind: 'deregistered' | 'expired'): void;
  /** Registrations saved before a restart whose lifetime has not ended, with their observations' tokens, so the
   * devices' next notifications and updates are understood without a new registration. */
  restore(saved: RegistrationStore): void;
}

export function createRegistrationInterface(
  state: CoapAccessState,
  observations: Pick<Lwm2mObservations, 'moveTo' | 'restore'>,
  /** Observes /19/0/0 of a device whose registration lists object 19 instance 0. */
  observeAppData: (deviceId: string, isCurrent: () => boolean) => void,
): RegistrationInterface {
  const ended = (r: LiveRegistration, kind: 'deregistered' | 'expired') => {
    state.dropObservations(r.view.deviceId);
    state.persist(r.view.deviceId);
    if (state.deviceAtPeer.get(peerKey(r.peer)) === r.view.deviceId) state.deviceAtPeer.delete(peerKey(r.peer));
    state.presence(r.view.deviceId, 'offline');
    state.emitRegistration({
      at: state.started.clock.now(),
      kind,
      endpoint: r.view.endpoint,
      deviceId: r.view.deviceId,
      registration: r.view,
    });
  };

  const register = (req: IncomingRequest, params: Map<string, string>, refusals: Lwm2mRefusalLog) => {
    const { clock, log, registrations } = state.started;
    const address = peerKey(req.peer);
    const ep = params.get('ep');
    const refuse = (code: string, reason: string) => {
      refusals.record({ endpoint: ep ?? '', peer: address, reason });
      state.emitRegistration({ at: clock.now(), kind: 'refused', endpoint: ep ?? '', reason });
      log.info(`lwm2m registration of ${echo(ep ?? '?')} from ${address} refused: ${reason}`);
      req.respond({ code, payload: Buffer.from(reason) });
    };
    if (!ep) return refuse('4.00', 'the registration has no endpoint name (ep)');
    const lifetime = parseLifetime(params.get('lt'));
    if (lifetime === 'invalid')
      return refuse('4.00', `lifetime lt=${echo(params.get('lt')!)} is not 1..4294967295 seconds`);
    const bodyText = req.payload.toString('utf8');
    const links = parseLinkFormat(bodyText);
    if (!links.ok) return refuse('4.00', `the object list is not link format: ${links.error.message}`);
    const registry = state.deps.devices();
    const bare = ep.startsWith('urn:imei:') ? ep.slice('urn:imei:'.length) : ep;
    let candidates = registry.findByNodeId(ep);
    if (candidates.length === 0) candidates = registry.findByNodeId(bare === ep ? `urn:imei:${ep}` : bare);
    if (candidates.length === 0) return refuse('4.03', `no device is registered with nodeId ${echo(ep)}`);
    if (candidates.length > 1) return refuse('4.03', `nodeId ${echo(ep)} is registered for several products`);
    const device = candidates[0]!;
    if (device.protocolType === 'MQTT') return refuse('4.03', `${echo(device.deviceId)} is an MQTT device, not LwM2M`);
    const objects = registeredObjects(links.value);
    const { registration, replaced } = registrations.register({
      deviceId: device.deviceId,
      productId: device.productId,
      endpoint: ep,
      lifetime: lifetime ?? DEFAULT_LIFETIME_S,
      lwm2mVersion: params.get('lwm2m') || '1.0',
      binding: params.get('b') || 'U',
      peer: req.peer,
      address,
      objectLinks: bodyText,
      objects: objects.objects,
      rootPath: objects.rootPath,
    });
    if (replaced) {
      state.dropObservations(device.deviceId);
      if (state.deviceAtPeer.get(peerKey(replaced.peer)) === device.deviceId)
        state.deviceAtPeer.delete(peerKey(replaced.peer));
    }
    state.deviceAtPeer.set(address, device.deviceId);
    state.persist(device.deviceId);
    req.respond({
      code: '2.01',
      options: registration.view.location
        .split('/')
        .filter(Boolean)
        .map((s) => ({ name: 'Location-Path' as const, value: Buffer.from(s) })),
    });
    state.registered(device.deviceId, replaced ? 'reregistered' : 'online');
    state.emitRegistration({
      at: clock.now(),
      kind: 'registered',
      endpoint: ep,
      deviceId: device.deviceId,
      registration: registration.view,
    });
    if (objects.objects.some((o) => o.objectId === 19 && (o.instanceId ?? 0) === 0))
      observeAppData(device.deviceId, () => registrations.get(device.deviceId) === registration);
  };

  const update = (req: IncomingRequest, registration: LiveRegistration, params: Map<string, string>) => {
    const { clock, registrations } = state.started;
    const address = peerKey(req.peer);
    const bad = (reason: string) => req.respond({ code: '4.00', payload: Buffer.from(reason) });
    const deviceId = registration.view.deviceId;
    const lifetime = parseLifetime(params.get('lt'));
    if (lifetime === 'invalid') return bad(`lifetime lt=${echo(params.get('lt')!)} is not 1..4294967295 seconds`);
    let objectChanges = {};
    if (req.payload.length) {
      const links = parseLinkFormat(req.payload.toString('utf8'));
      if (!links.ok) return bad(`the object list is not link format: ${links.error.message}`);
      objectChanges = { objectLinks: req.payload.toString('utf8'), objects: registeredObjects(links.value).objects };
    }
    const moved = peerKey(registration.peer) !== address;
    if (moved && state.deviceAtPeer.get(peerKey(registration.peer)) === deviceId)
      state.deviceAtPeer.delete(peerKey(registration.peer));
    registrations.update(registration, {
      ...(lifetime !== undefined ? { lifetime } : {}),
      ...(params.get('b') ? { binding: params.get('b')! } : {}),
      peer: req.peer,
      address,
      ...objectChanges,
    });
    state.deviceAtPeer.set(address, deviceId);
    // A device behind NAT that moved keeps its observations: their notifications now come from the new address.
    if (moved) observations.moveTo(deviceId, req.peer);
    state.persist(deviceId);
    req.respond({ code: '2.04' });
    state.contact(deviceId, true);
    state.emitRegistration({
      at: clock.now(),
      kind: 'updated',
      endpoint: registration.view.endpoint,
      deviceId,
      registration: registration.view,
    });
  };

  return {
    ended,

    handle(req, refusals) {
      const { packet } = req;
      const path = optionsOf(packet, 'Uri-Path').map((b) => b.toString('utf8'));
      if (path[0] !== 'rd') return req.respond({ code: '4.04' });
      const params = queryParams(packet);
      if (path.length === 1) {
        if (packet.code !== '0.02') return req.respond({ code: '4.05' });
        return register(req, params, refusals);
      }
      const { registrations } = state.started;
      const registration = path.length === 2 ? registrations.atLocation(path[1]!) : undefined;
      if (!registration) return req.respond({ code: '4.04', payload: Buffer.from('no such registration') });
      if (packet.code === '0.04') {
        registrations.remove(registration.view.deviceId);
        req.respond({ code: '2.02' });
        // The device said it is leaving: offline now. An expired lifetime leaves the status to the 25 h rule.
        state.deps.status().left(registration.view.deviceId);
        return ended(registration, 'deregistered');
      }
      if (packet.code !== '0.02') return req.respond({ code: '4.05' });
      update(req, registration, params);
    },

    restore(saved) {
      const { clock, log, registrations } = state.started;
      let restored = 0;
      for (const { observations: observed, ...r } of saved.load(clock.now())) {
        const deviceId = r.view.deviceId;
        if (state.deps.devices().get(deviceId)?.productId !== r.productId) {
          saved.remove(deviceId);
          continue;
        }
        const live: LiveRegistration = r;
        if (!registrations.restore(live)) continue;
        state.deviceAtPeer.set(r.view.address, deviceId);
        observations.restore(deviceId, live.peer, observed);
        restored++;
      }
      if (restored) log.info(`${restored} LwM2M registration(s) restored from before the restart`);
    },
  };
}
