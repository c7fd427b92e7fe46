// Live LwM2M registrations by device and by location, each expiring after its lifetime on the injected clock.
import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../clock.js';
import type { Lwm2mRegistration } from '../../contract/lwm2m.js';
import type { Peer } from './coap-endpoint.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LiveRegistration {
  view: Lwm2mRegistration;
  /** The device's product (fixed for a device): spares a registry lookup per notification. */
  productId: string;
  peer: Peer;
  rootPath: string;
  expiresAtMs: number;
}

export interface RegistrationInput {
  deviceId: string;
  productId: string;
  endpoint: string;
  lifetime: number;
  lwm2mVersion: string;
  binding: string;
  peer: Peer;
  address: string;
  objectLinks: string;
  objects: Lwm2mRegistration['objects'];
  rootPath: string;
}

export class Registrations {
  private readonly byDevice = new Map<string, LiveRegistration>();
  private readonly byLocation = new Map<string, LiveRegistration>();
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly onExpired: (registration: LiveRegistration) => void,
  ) {}

  get(deviceId: string): LiveRegistration | undefined {
    return this.byDevice.get(deviceId);
  }

  atLocation(locationId: string): LiveRegistration | undefined {
    return this.byLocation.get(locationId);
  }

  all(): LiveRegistration[] {
    return [...this.byDevice.values()];
  }

  get size(): number {
    return this.byDevice.size;
  }

  /** A new registration; an earlier one of the same device is replaced (and returned). */
  register(input: RegistrationInput): { registration: LiveRegistration; replaced?: LiveRegistration } {
    const replaced = this.remove(input.deviceId);
    let locationId: string;
    do locationId = randomBytes(4).toString('hex');
    while (this.byLocation.has(locationId));
    const now = this.clock.now();
    const registration: LiveRegistration = {
      productId: input.productId,
      peer: input.peer,
      rootPath: input.rootPath,
      expiresAtMs: now + input.lifetime * 1000,
      view: {
        deviceId: input.deviceId,
        endpoint: input.endpoint,
        location: `/rd/${locationId}`,
        lifetime: input.lifetime,
        lwm2mVersion: input.lwm2mVersion,
        binding: input.binding,
        address: input.address,
        objectLinks: input.objectLinks,
        objects: input.objects,
        registeredAt: new Date(now).toISOString(),
        updatedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + input.lifetime * 1000).toISOString(),
      },
    };
    this.byDevice.set(input.deviceId, registration);
    this.byLocation.set(locationId, registration);
    this.arm(registration);
    return { registration, ...(replaced ? { replaced } : {}) };
  }

  /** A registration the core knew before a restart, with its location and times; false when its time is up. */
  restore(registration: LiveRegistration): boolean {
    const locationId = registration.view.location.slice('/rd/'.length);
    if (registration.expiresAtMs <= this.clock.now() || this.byLocation.has(locationId)) return false;
    this.remove(registration.view.deviceId);
    this.byDevice.set(registration.view.deviceId, registration);
    this.byLocation.set(locationId, registration);
    this.arm(registration);
    return true;
  }

  /** Registration update: refreshes the lifetime and takes the changed parameters. */
  update(
    registration: LiveRegistration,
    changes: {
      lifetime?: number;
      binding?: string;
      peer: Peer;
      address: string;
      objectLinks?: string;
      objects?: Lwm2mRegistration['objects'];
    },
  ): void {
    const now = this.clock.now();
    const v = registration.view;
    if (changes.lifetime !== undefined) v.lifetime = changes.lifetime;
    if (changes.binding !== undefined) v.binding = changes.binding;
    if (changes.objectLinks !== undefined) v.objectLinks = changes.objectLinks;
    if (changes.objects !== undefined) v.objects = changes.objects;
    v.address = changes.address;
    registration.peer = changes.peer;
    v.updatedAt = new Date(now).toISOString();
    registration.expiresAtMs = now + v.lifetime * 1000;
    v.expiresAt = new Date(registration.expiresAtMs).toISOString();
    this.arm(registration);
  }

  remove(deviceId: string): LiveRegistration | undefined {
    const r = this.byDevice.get(deviceId);
    if (!r) return undefined;
    this.byDevice.delete(deviceId);
    this.byLocation.delete(r.view.location.slice('/rd/'.length));
    this.timers.get(deviceId)?.cancel();
    this.timers.delete(deviceId);
    return r;
  }

  clear(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.byDevice.clear();
    this.byLocation.clear();
  }

  private arm(registration: LiveRegistration): void {
    const id = registration.view.deviceId;
    this.timers.get(id)?.cancel();
    this.timers.set(
      id,
      this.clock.setTimeout(
        () => {
          if (this.byDevice.get(id) !== registration) return;
          if (registration.expiresAtMs > this.clock.now()) return this.arm(registration);
          this.remove(id);
          this.onExpired(registration);
        },
        // Timers cannot wait longer than 2^31-1 ms; a longer lifetime re-arms on the way.
        Math.min(MAX_TIMER_MS, Math.max(0, registration.expiresAtMs - this.clock.now())),
      ),
    );
  }
}
