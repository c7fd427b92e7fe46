// Observations (RFC 7641) of the LwM2M server: observe and cancel, each notification decoded and published (the
// rest of one too big for a datagram fetched block-wise), observations carried to a device's new address and
// brought back after a restart.
import type { ParsedPacket } from 'coap-packet';
import type { Lwm2mValue, Lwm2mValueEvent } from '../../contract/lwm2m.js';
import type { Lwm2mServer } from '../../device-link/lwm2m-link.js';
import { blockOption, optionOf, readBlock, readUint, uintOption } from '../../protocols/coap/coap-options.js';
import { decodePayload } from '../../protocols/lwm2m/payload-codec.js';
import type { CoapAccessState, ObservationState } from './coap-access-state.js';
import type { Peer } from './coap-messages.js';
import { checkPath, uriPath, type SendAccepting, type SendRequest } from './lwm2m-operations.js';
import type { StoredObservation } from './registration-store.js';

/** A decoded notification of `path`, for whoever handles that path's data (object 19). */
export type NotifiedValues = (
  deviceId: string,
  path: string,
  contentFormat: number | undefined,
  payload: Buffer,
  values: Lwm2mValue[] | undefined,
) => void;

export interface Lwm2mObservations extends Pick<Lwm2mServer, 'observe' | 'cancelObserve' | 'observations'> {
  /** The device now sends from `peer` (NAT rebinding): its observations' notifications come from there. */
  moveTo(deviceId: string, peer: Peer): void;
  /** Observations saved before a restart, listening again on their tokens. */
  restore(deviceId: string, peer: Peer, saved: StoredObservation[]): void;
}

export function createLwm2mObservations(
  state: CoapAccessState,
  requests: { send: SendRequest; sendAccepting: SendAccepting },
  onValues: NotifiedValues,
): Lwm2mObservations {
  const { send, sendAccepting } = requests;
  const onNotification = (deviceId: string, path: string, o: ObservationState, packet: ParsedPacket) => {
    const endpoint = state.runtime?.endpoint;
    if (!packet.code.startsWith('2.')) {
      // An error notification ends the observation (RFC 7641 §3.2).
      endpoint?.forgetToken(o.peer, o.token);
      state.observations.get(deviceId)?.delete(path);
      state.persist(deviceId);
      return;
    }
    const block2 = readBlock(optionOf(packet, 'Block2'));
    const r = state.runtime?.registrations.get(deviceId);
    if (block2?.more && r && endpoint) {
      // A notification too big for one datagram carries its first block; the rest is fetched (RFC 7959 §3.4), in
      // the format of the first block.
      const rest = { num: 1, more: false, size: block2.size };
      const format = optionOf(packet, 'Content-Format');
      const options = [
        ...uriPath(r, path),
        ...(format ? [{ name: 'Accept' as const, value: format }] : []),
        { name: 'Block2' as const, value: blockOption(rest) },
      ];
      endpoint.request(o.peer, { code: 'GET', options }, state.requestTimeoutMs).then(
        (answer) => notified(deviceId, path, o, packet, Buffer.concat([packet.payload, answer.payload])),
        (e: unknown) =>
          state.runtime?.log.info(
            `fetching the rest of a notification of ${path} from ${deviceId} failed: ${e instanceof Error ? e.message : String(e)}`,
          ),
      );
      return;
    }
    notified(deviceId, path, o, packet, packet.payload);
  };

  const notified = (deviceId: string, path: string, o: ObservationState, packet: ParsedPacket, payload: Buffer) => {
    const cfBytes = optionOf(packet, 'Content-Format');
    const contentFormat = cfBytes ? readUint(cfBytes) : undefined;
    const observe = optionOf(packet, 'Observe');
    const decoded = decodePayload(state.definitions, path, contentFormat, payload);
    const at = state.started.clock.now();
    o.view.notifications++;
    o.view.lastAt = new Date(at).toISOString();
    o.view.lastPayloadHex = payload.toString('hex');
    if (decoded.values) o.view.lastValues = decoded.values;
    state.contact(deviceId);
    const event: Lwm2mValueEvent = {
      at,
      deviceId,
      path,
      ...(observe ? { seq: readUint(observe) } : {}),
      ...(contentFormat !== undefined ? { contentFormat } : {}),
      payloadHex: o.view.lastPayloadHex,
      ...(decoded.values ? { values: decoded.values } : {}),
      ...(decoded.decodeError ? { decodeError: decoded.decodeError } : {}),
    };
    state.emitNotification(event);
    onValues(deviceId, path, contentFormat, payload, decoded.values);
  };

  const listen = (deviceId: string, o: ObservationState) =>
    state.runtime?.endpoint?.listen(o.peer, o.token, (p) => onNotification(deviceId, o.view.path, o, p));

  return {
    observations: (deviceId) => [...(state.observations.get(deviceId)?.values() ?? [])].map((o) => o.view),

    async observe(deviceId, path, options = {}) {
      checkPath(path);
      const existing = state.observations.get(deviceId)?.get(path);
      if (existing) state.runtime?.endpoint?.forgetToken(existing.peer, existing.token);
      state.observations.get(deviceId)?.delete(path);
      const observation: { state?: ObservationState } = {};
      const pending: ParsedPacket[] = [];
      const {
        answer,
        result: r,
        registration,
      } = await sendAccepting(
        deviceId,
        'observe',
        path,
        options.accept,
        (accept) => ({
          code: 'GET',
          options: [{ name: 'Observe', value: uintOption(0) }, ...accept],
          onNotify: (p) => (observation.state ? onNotification(deviceId, path, observation.state, p) : pending.push(p)),
        }),
        options.timeoutMs,
        // A refused observe keeps no observation: its token is not listened to any more.
        (refused) => state.runtime?.endpoint?.forgetToken(refused.registration.peer, refused.answer.token),
      );
      if (!r.ok || !optionOf(answer.packet, 'Observe')) {
        state.runtime?.endpoint?.forgetToken(registration.peer, answer.token);
        if (existing) state.persist(deviceId);
        return r;
      }
      const o: ObservationState = {
        token: answer.token,
        peer: registration.peer,
        view: {
          path,
          tokenHex: answer.token.toString('hex'),
          since: new Date(state.started.clock.now()).toISOString(),
          notifications: 0,
          ...(r.values ? { lastValues: r.values } : {}),
          ...(answer.payload.length ? { lastPayloadHex: answer.payload.toString('hex') } : {}),
        },
      };
      let forDevice = state.observations.get(deviceId);
      if (!forDevice) state.observations.set(deviceId, (forDevice = new Map<string, ObservationState>()));
      forDevice.set(path, o);
      observation.state = o;
      state.persist(deviceId);
      for (const p of pending) onNotification(deviceId, path, o, p);
      return r;
    },

    async cancelObserve(deviceId, path, options = {}) {
      checkPath(path);
      const existing = state.observations.get(deviceId)?.get(path);
      state.observations.get(deviceId)?.delete(path);
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
      if (existing) state.runtime?.endpoint?.forgetToken(existing.peer, existing.token);
      state.persist(deviceId);
      return r;
    },

    moveTo(deviceId, peer) {
      for (const o of state.observations.get(deviceId)?.values() ?? []) {
        state.runtime?.endpoint?.forgetToken(o.peer, o.token);
        o.peer = peer;
        listen(deviceId, o);
      }
    },

    restore(deviceId, peer, saved) {
      const forDevice = new Map<string, ObservationState>();
      for (const s of saved) {
        const o: ObservationState = {
          token: Buffer.from(s.tokenHex, 'hex'),
          peer,
          view: { path: s.path, tokenHex: s.tokenHex, since: s.since, notifications: 0 },
        };
        forDevice.set(s.path, o);
        listen(deviceId, o);
      }
      if (forDevice.size) state.observations.set(deviceId, forDevice);
    },
  };
}
