// What the pieces of MQTT access share: the capability's dependencies, the platform services of the running core,
// the session table, and the two ways out for events (the refusal log and presence reports).
import type { EventBus } from '../../bus/event-bus.js';
import type { Clock } from '../../clock.js';
import type { ProductModel } from '../../contract/product-model.js';
import type { UplinkPipeline } from '../../data/uplink-pipeline.js';
import type { DeviceLinkReports, PresenceKind } from '../../device-link/index.js';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { DeviceStatusEngine } from '../../devices/device-status.js';
import type { Logger } from '../../log/logger.js';
import type { ProductSecretSource } from './dynamic-secret.js';
import type { RefusalInput } from './refusal-log.js';
import type { SessionTable } from './session-table.js';

export interface MqttAccessDeps {
  devices: () => Pick<DeviceRegistry, 'get' | 'require' | 'secret' | 'findByNodeId' | 'onChange'>;
  status: () => Pick<DeviceStatusEngine, 'connected' | 'disconnected' | 'reported'>;
  /** Every reported value goes through the one uplink pipeline (codec, model checks, errors, ingest). */
  uplink: UplinkPipeline;
  /** Presence (online, reported, offline), device responses and custom messages, for whoever waits on devices. */
  link: DeviceLinkReports;
  productModel: (productId: string) => ProductModel | undefined;
  /** Product secrets for one-model-one-secret login (authType 1, see dynamic-secret.ts); without them it is refused. */
  productSecrets?: ProductSecretSource;
  /** Largest MQTT packet a device may send; bigger ones close the connection (default 1 MiB, the platform's limit). */
  maxPacketBytes?: number;
}

export interface MqttAccessContext {
  readonly deps: MqttAccessDeps;
  readonly clock: Clock;
  readonly log: Logger;
  readonly bus: EventBus;
  readonly sessions: SessionTable;
  /** Records a refused login, ACL violation, oversized packet or replaced session, and logs it. */
  readonly refuse: (refusal: RefusalInput) => void;
  /** Reports the device's presence on the device link (protocol mqtt, now). */
  readonly presence: (deviceId: string, kind: PresenceKind) => void;
}
