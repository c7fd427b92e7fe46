// The module emulator's LwM2M side: the simulator's LwM2M client (core/simulator/lwm2m) registering with
// ep = IMEI; AT+NMGS bytes become notifications of /19/0/0 and writes on /19/1/0 go back to the module.
import type { Clock } from '../../clock.js';
import { Lwm2mDeviceClient } from '../../simulator/lwm2m/lwm2m-device-client.js';
import { createDeviceObjects, type SimObjectStore } from '../../simulator/lwm2m/sim-objects.js';
import type { LwM2mClient } from './module-emulator.js';

export interface LwM2mUdpClientOptions {
  clock: Clock;
  lifetimeS?: number;
  /** First CON retransmission wait; doubled each time (RFC 7252 ACK_TIMEOUT). */
  ackTimeoutMs?: number;
  onEvent?: (event: string) => void;
}

export function createLwM2mUdpClient(options: LwM2mUdpClientOptions): LwM2mClient & { registered(): boolean } {
  const downlinkListeners = new Set<(bytes: Uint8Array) => void>();
  let client: Lwm2mDeviceClient | undefined;
  let objects: SimObjectStore | undefined;

  return {
    registered: () => client?.registered() ?? false,
    ready: () => client?.observing('/19/0/0') ?? false,
    async connect(server, endpoint) {
      client?.close();
      const store = createDeviceObjects(
        {
          nodeId: endpoint,
          manufacturer: 'Quectel',
          model: 'BC28',
          deviceType: 'NB-IoT module',
          firmwareVersion: 'BC28JAR01A10',
          softwareVersion: 'V150R100C10B200',
          lifetimeS: options.lifetimeS ?? 86400,
          radio: { rsrpDbm: -83, sinrDb: 12, cellId: 95271489 },
        },
        {
          now: () => options.clock.now(),
          // The module reboots on AT+NRB; a platform reboot is acknowledged and left to the firmware.
          reboot: () => undefined,
          factoryReset: () => undefined,
          firmwareUpdate: () => undefined,
        },
      );
      const c = new Lwm2mDeviceClient({
        clock: options.clock,
        endpoint,
        server,
        objects: store,
        lifetimeS: options.lifetimeS ?? 86400,
        binding: 'U',
        ...(options.ackTimeoutMs ? { ackTimeoutMs: options.ackTimeoutMs } : {}),
        onEvent: (event) => options.onEvent?.(event.message),
        onWrite: (path) => {
          if (path !== '/19/1/0') return;
          const value = store.get(19, 1, 0);
          if (value instanceof Uint8Array) for (const l of [...downlinkListeners]) l(value);
        },
      });
      client = c;
      objects = store;
      await c.register();
    },
    sendUplink(bytes) {
      if (!client?.observing('/19/0/0') || !objects) {
        return Promise.reject(new Error('the platform has not observed /19/0/0 yet'));
      }
      objects.set(19, 0, 0, bytes);
      return Promise.resolve();
    },
    onDownlink(listener) {
      downlinkListeners.add(listener);
    },
    async close() {
      await client?.deregister();
      client?.close();
      client = undefined;
    },
  };
}
