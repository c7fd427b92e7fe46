// CoAP/LwM2M device access: the LwM2M server on the platform's `coap` UDP port. A datagram goes socket →
// coap-endpoint (message layer) → registration-interface (/rd) or lwm2m-observations (notifications) →
// object19-uplink → the uplink pipeline; requests to devices go out through lwm2m-operations.
import type { Socket } from 'node:dgram';
import type { Capability } from '../../capability.js';
import type { Lwm2mServer } from '../../device-link/lwm2m-link.js';
import { CoapAccessState, type CoapAccessDeps } from './coap-access-state.js';
import { createCoapEndpoint, peerKey } from './coap-endpoint.js';
import type { IncomingRequest } from './coap-messages.js';
import { optionsOf } from '../../protocols/coap/coap-options.js';
import { createLwm2mObservations } from './lwm2m-observations.js';
import { createLwm2mOperations } from './lwm2m-operations.js';
import { addLwm2mRoutes } from './lwm2m-routes.js';
import { APP_DATA_PATH, createObject19Uplink } from './object19-uplink.js';
import { Lwm2mRefusalLog, refusalsMigration } from './refusal-log.js';
import { RegistrationStore, registrationsMigration } from './registration-store.js';
import { createRegistrationInterface } from './registration-interface.js';
import { Registrations } from './registrations.js';

export type { CoapAccessDeps } from './coap-access-state.js';

export interface CoapAccessCapability extends Capability {
  server: Lwm2mServer;
  /** R-15.5's product check for a device (undefined: its product is not known), e.g. for the traffic inspector. */
  pcpSupport(deviceId: string): boolean | undefined;
  /**
   * Serves CoAP requests whose first Uri-Path segment is `segment` (e.g. `fw` for firmware downloads) on the LwM2M
   * port, so a device fetches from the address it already talks to. Returns the function that stops serving.
   */
  serveResource(segment: string, handler: (req: IncomingRequest) => void): () => void;
}

/** A fleet registering at once (power cut over, bench) overflows the default 208 KiB receive buffer. */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export function createCoapAccessCapability(deps: CoapAccessDeps): CoapAccessCapability {
  const state = new CoapAccessState(deps);
  const operations = createLwm2mOperations(state);
  const object19 = createObject19Uplink(state);
  const observations = createLwm2mObservations(state, operations, object19.notified);
  const registrationInterface = createRegistrationInterface(state, observations, (deviceId, isCurrent) => {
    // After the 2.01 is on the wire: the device must know it is registered before it is observed.
    setImmediate(() => {
      if (!isCurrent()) return;
      server.observe(deviceId, APP_DATA_PATH).then(
        (r) => !r.ok && state.runtime?.log.info(`${deviceId} refused the observe of ${APP_DATA_PATH}: ${r.code}`),
        (e: unknown) =>
          state.runtime?.log.info(
            `observing ${APP_DATA_PATH} of ${deviceId} failed: ${e instanceof Error ? e.message : String(e)}`,
          ),
      );
    });
  });
  let unsubscribeRegistry: (() => void) | undefined;
  const resources = new Map<string, (req: IncomingRequest) => void>();

  const server: Lwm2mServer = {
    registration: (deviceId) => state.runtime?.registrations.get(deviceId)?.view,
    registrations: () => state.runtime?.registrations.all().map((r) => r.view) ?? [],
    observations: observations.observations,
    onRegistration(listener) {
      state.registrationListeners.add(listener);
      return () => state.registrationListeners.delete(listener);
    },
    onNotification(listener) {
      state.notificationListeners.add(listener);
      return () => state.notificationListeners.delete(listener);
    },
    read: operations.read,
    discover: operations.discover,
    write: operations.write,
    execute: operations.execute,
    writeDownlink: operations.writeDownlink,
    observe: observations.observe,
    cancelObserve: observations.cancelObserve,
  };

  return {
    name: 'coap-access',
    migrations: [refusalsMigration, registrationsMigration],
    server,
    pcpSupport: (deviceId) => object19.pcpSupport(deviceId),
    serveResource(segment, handler) {
      resources.set(segment, handler);
      return () => void (resources.get(segment) === handler && resources.delete(segment));
    },

    start(ctx) {
      const log = ctx.logger;
      const refusals = new Lwm2mRefusalLog(ctx.db, ctx.clock);
      const registrations = new Registrations(ctx.clock, (r) => {
        log.info(`lwm2m registration of ${r.view.deviceId} expired after ${r.view.lifetime} s`);
        registrationInterface.ended(r, 'expired');
      });
      const store = new RegistrationStore(ctx.db, (error) =>
        log.error({ err: error }, 'saving LwM2M registrations failed'),
      );
      state.runtime = { clock: ctx.clock, bus: ctx.bus, log, registrations, store };
      addLwm2mRoutes(ctx.routes, state, server, refusals);

      unsubscribeRegistry = deps.devices().onChange((change) => {
        if (change.kind !== 'deleted') return;
        const r = registrations.remove(change.deviceId);
        if (r) registrationInterface.ended(r, 'deregistered');
      });

      const listener = ctx.ports.udp('coap');
      if (!listener) {
        log.warn('no CoAP port is bound: LwM2M device access is off');
        return;
      }
      listener.serve();
      const socket: Socket = listener.socket;
      try {
        socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
      } catch (error) {
        log.info(
          `could not enlarge the CoAP receive buffer: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const own = socket.address();
      const local = peerKey({ address: own.address, port: own.port });
      state.runtime.endpoint = createCoapEndpoint({
        socket,
        clock: ctx.clock,
        ...(deps.ackTimeoutMs !== undefined ? { ackTimeoutMs: deps.ackTimeoutMs } : {}),
        onRequest: (req) => {
          try {
            const resource = resources.get(optionsOf(req.packet, 'Uri-Path')[0]?.toString('utf8') ?? '');
            if (resource) return resource(req);
            registrationInterface.handle(req, refusals);
          } catch (error) {
            log.error({ err: error }, `handling a CoAP request from ${peerKey(req.peer)} failed`);
            req.respond({ code: '5.00' });
          }
        },
        onDatagram: (direction, bytes, peer) => {
          // Capture off and no live reader: two events per notification nobody would read.
          if (!ctx.bus.hasListeners('frame')) return;
          const pk = peerKey(peer);
          const deviceId = state.deviceAtPeer.get(pk);
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
          log.info(`malformed CoAP datagram (${bytes.length} bytes) from ${peerKey(peer)}: ${reason}`),
      });
      registrationInterface.restore(store);
    },

    stop() {
      state.runtime?.store.flush();
      unsubscribeRegistry?.();
      state.runtime?.endpoint?.close();
      state.clear();
    },
  };
}
