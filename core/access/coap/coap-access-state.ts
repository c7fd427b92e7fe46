// What the parts of CoAP/LwM2M device access share: their deps, the live registrations and observations while
// started, and the few things every part does (events, persistence, the status contact).
import type { EventBus } from '../../bus/event-bus.js';
import type { Clock } from '../../clock.js';
import type { Lwm2mObservation, Lwm2mRegistrationEvent, Lwm2mValueEvent } from '../../contract/lwm2m.js';
import type { ProductModel } from '../../contract/product-model.js';
import type { DeviceLinkReports, PresenceKind } from '../../device-link/index.js';
import { Lwm2mServerError } from '../../device-link/lwm2m-link.js';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { DeviceStatusEngine } from '../../devices/device-status.js';
import type { UplinkPipeline } from '../../data/uplink-pipeline.js';
import type { Logger } from '../../log/logger.js';
import { loadLwm2mDefinitions, type Lwm2mDefinitions } from '../../protocols/lwm2m/lwm2m-definitions.js';
import type { CoapEndpoint } from './coap-endpoint.js';
import type { Peer } from './coap-messages.js';
import type { RegistrationStore } from './registration-store.js';
import type { LiveRegistration, Registrations } from './registrations.js';

export interface CoapAccessDeps {
  devices: () => DeviceRegistry;
  status: () => DeviceStatusEngine;
  /** Object 19 data goes through the one uplink pipeline (codec, model checks, errors, ingest). */
  uplink: UplinkPipeline;
  /** Presence (online, reported, re-registered, offline) and device responses, for queues that wait on devices. */
  link: DeviceLinkReports;
  /** A product's model: whether it upgrades software over PCP. */
  productModel: (productId: string) => ProductModel | undefined;
  definitions?: Lwm2mDefinitions;
  /** RFC 7252 ACK_TIMEOUT for our CON requests (default 2 s). */
  ackTimeoutMs?: number;
  /** Default wait for a device's answer (default 30 s). */
  requestTimeoutMs?: number;
}

export interface ObservationState {
  view: Lwm2mObservation;
  token: Buffer;
  peer: Peer;
}

/** What exists only between start and stop. */
export interface CoapAccessRuntime {
  clock: Clock;
  bus: EventBus;
  log: Logger;
  registrations: Registrations;
  store: RegistrationStore;
  /** Absent when no CoAP port is bound. */
  endpoint?: CoapEndpoint;
}

/** Notifications feed the status engine at most this often per device (registrations and updates always do). */
const CONTACT_EVERY_MS = 30_000;

export class CoapAccessState {
  readonly definitions: Lwm2mDefinitions;
  readonly requestTimeoutMs: number;
  readonly registrationListeners = new Set<(e: Lwm2mRegistrationEvent) => void>();
  readonly notificationListeners = new Set<(e: Lwm2mValueEvent) => void>();
  /** Observations by device, then by path. */
  readonly observations = new Map<string, Map<string, ObservationState>>();
  /** The device registered from each `address:port`, for the device of traffic frames. */
  readonly deviceAtPeer = new Map<string, string>();
  private readonly lastContact = new Map<string, number>();
  runtime: CoapAccessRuntime | undefined;

  constructor(readonly deps: CoapAccessDeps) {
    this.definitions = deps.definitions ?? loadLwm2mDefinitions();
    this.requestTimeoutMs = deps.requestTimeoutMs ?? 30_000;
  }

  get started(): CoapAccessRuntime {
    if (!this.runtime) throw new Lwm2mServerError('STOPPED', 'the LwM2M server is not started');
    return this.runtime;
  }

  /** A registered device with the endpoint to reach it, or NOT_REGISTERED. */
  requireRegistration(deviceId: string): { registration: LiveRegistration; endpoint: CoapEndpoint } {
    const registration = this.runtime?.registrations.get(deviceId);
    const endpoint = this.runtime?.endpoint;
    if (!endpoint || !registration)
      throw new Lwm2mServerError('NOT_REGISTERED', `${deviceId} is not registered with the LwM2M server`);
    return { registration, endpoint };
  }

  emitRegistration(event: Lwm2mRegistrationEvent): void {
    this.runtime?.bus.publish('lwm2m', event);
    for (const l of [...this.registrationListeners]) l(event);
  }

  emitNotification(event: Lwm2mValueEvent): void {
    this.runtime?.bus.publish('lwm2mValue', event);
    for (const l of [...this.notificationListeners]) l(event);
  }

  /**
   * An uplink (notification, registration update): feeds the status engine and reports the device `reported` on
   * the device link. Updates always do; notifications at most every CONTACT_EVERY_MS per device (the
   * short-connection rules count hours; a SQLite write per notification would cap the notification rate).
   */
  contact(deviceId: string, always = false): void {
    const now = this.started.clock.now();
    const last = this.lastContact.get(deviceId);
    if (!always && last !== undefined && now - last < CONTACT_EVERY_MS && now >= last) return;
    this.lastContact.set(deviceId, now);
    this.deps.status().reported(deviceId);
    this.presence(deviceId, 'reported', now);
  }

  /** A (re)registration: the status contact now, and `online` (or `reregistered`) on the device link. */
  registered(deviceId: string, kind: 'online' | 'reregistered'): void {
    const now = this.started.clock.now();
    this.lastContact.set(deviceId, now);
    this.deps.status().reported(deviceId);
    this.presence(deviceId, kind, now);
  }

  presence(deviceId: string, kind: PresenceKind, at = this.started.clock.now()): void {
    this.deps.link.presence({ at, deviceId, protocol: 'lwm2m', kind });
  }

  dropObservations(deviceId: string): void {
    const forDevice = this.observations.get(deviceId);
    if (!forDevice) return;
    for (const o of forDevice.values()) this.runtime?.endpoint?.forgetToken(o.peer, o.token);
    this.observations.delete(deviceId);
  }

  /** Writes a device's registration and observations (or their absence) to SQLite at the end of the tick. */
  persist(deviceId: string): void {
    const store = this.runtime?.store;
    const r = this.runtime?.registrations.get(deviceId);
    if (!r) return store?.remove(deviceId);
    store?.save({
      productId: r.productId,
      rootPath: r.rootPath,
      peer: r.peer,
      expiresAtMs: r.expiresAtMs,
      view: r.view,
      observations: [...(this.observations.get(deviceId)?.values() ?? [])].map((o) => ({
        path: o.view.path,
        tokenHex: o.view.tokenHex,
        since: o.view.since,
      })),
    });
  }

  clear(): void {
    this.runtime?.registrations.clear();
    this.observations.clear();
    this.deviceAtPeer.clear();
    this.lastContact.clear();
    this.runtime = undefined;
  }
}
