// One virtual MQTT device: logs in with real credentials (mqtt.js), reports generated values on its dialect's
// topic at a fixed rate, and answers commands the way the device SDKs do. Properties the platform sets are kept and
// reported back at once (a device shows its new state), so the shadow sees them taken.
import mqtt, { type MqttClient } from 'mqtt';
import { mqttPassword, timestampOf } from '../../protocols/mqtt/device-credentials.js';
import type { Clock, TimerHandle } from '../../clock.js';
import type { SimulatorDialect } from '../../contract/simulator.js';
import type { ProductModel } from '../../contract/product-model.js';
import type { SimOtaFaults } from '../../contract/simulator-lwm2m.js';
import { MqttOtaDevice } from './mqtt-ota-device.js';
import { generateReport, type Random } from './value-generator.js';
import {
  addSubDeviceRequests,
  batchReports,
  compactUtc,
  subDeviceChanges,
  subDeviceStatusUpdates,
  type GatewayFrame,
} from './virtual-gateway-frames.js';

/** A virtual gateway's sub-devices: it adds them itself on connect and reports for them in batches. */
export interface VirtualSubDevices {
  productId: string;
  model: ProductModel;
  nodeIds: string[];
}

export interface VirtualMqttDeviceOptions {
  brokerUrl: string;
  deviceId: string;
  secret: string;
  dialect: SimulatorDialect;
  model: ProductModel;
  /** Reports per second. */
  rate: number;
  clock: Clock;
  random?: Random;
  onEvent?: (event: VirtualDeviceEvent) => void;
  /** Makes the device a gateway (IoTDA dialect) with these sub-devices. */
  subDevices?: VirtualSubDevices;
  /** IoTDA `$ota`: the versions the device runs and its upgrade faults. */
  ota?: { firmwareVersion: string; softwareVersion: string; faults: SimOtaFaults };
}

export type VirtualDeviceEvent =
  | { kind: 'connected' }
  | { kind: 'disconnected' }
  | { kind: 'reported' }
  | { kind: 'answered' }
  | { kind: 'error'; message: string };

export class VirtualMqttDevice {
  private client: MqttClient | undefined;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private readonly random: Random;
  /** Values the platform set (sys/properties/set), per service: they replace generated values in every report. */
  private readonly applied = new Map<string, Record<string, unknown>>();
  /** Sub-devices the platform confirmed (add response, add notify), by deviceId. */
  private readonly subDeviceIds = new Set<string>();
  private subDevicesOnline = true;
  /** The `$ota` device (IoTDA dialect, not a gateway). */
  readonly ota: MqttOtaDevice | undefined;

  constructor(private readonly options: VirtualMqttDeviceOptions) {
    this.random = options.random ?? Math.random;
    const ota = options.ota;
    this.ota =
      options.dialect === 'iotda' && !options.subDevices
        ? new MqttOtaDevice({
            firmwareVersion: ota?.firmwareVersion ?? 'V1.0.0',
            softwareVersion: ota?.softwareVersion ?? 'SW1.0.0',
            faults: ota?.faults ?? {},
            report: (eventType, paras) => this.reportOta(eventType, paras),
            goOffline: (ms, back) => void this.offlineFor(ms, back),
          })
        : undefined;
  }

  private reportOta(eventType: string, paras: Record<string, unknown>): void {
    const body = {
      services: [
        { service_id: '$ota', event_type: eventType, event_time: compactUtc(this.options.clock.now()), paras },
      ],
    };
    this.publishAll([{ topic: `$oc/devices/${this.deviceId}/sys/events/up`, payload: JSON.stringify(body) }], {
      kind: 'answered',
    });
  }

  /** Goes away (the session dropped, as when coverage is lost) for `ms` on the clock, then connects again. */
  private async offlineFor(ms: number, back: () => void): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.endAsync(true);
    this.options.clock.setTimeout(() => {
      if (this.stopped) return;
      this.connect().then(back, (e: unknown) => {
        this.emit({ kind: 'error', message: `reconnecting failed: ${e instanceof Error ? e.message : String(e)}` });
      });
    }, ms);
  }

  get deviceId(): string {
    return this.options.deviceId;
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** The sub-devices the platform confirmed, for a gateway. */
  get subDevices(): string[] {
    return [...this.subDeviceIds];
  }

  /** A gateway tells the platform all its sub-devices went online or offline. */
  setSubDevicesOnline(online: boolean): void {
    this.subDevicesOnline = online;
    const status = online ? 'ONLINE' : 'OFFLINE';
    this.publishAll(subDeviceStatusUpdates(this.deviceId, [...this.subDeviceIds], status, this.options.clock.now()));
  }

  private publishAll(frames: GatewayFrame[], done: VirtualDeviceEvent = { kind: 'reported' }): void {
    const client = this.client;
    if (!client?.connected) return;
    for (const f of frames)
      client.publish(f.topic, f.payload, { qos: 1 }, (e) =>
        this.emit(e ? { kind: 'error', message: `publish refused: ${e.message}` } : done),
      );
  }

  private emit(event: VirtualDeviceEvent): void {
    this.options.onEvent?.(event);
  }

  /** Connects (signType 0: the platform does not check the timestamp, so clock skew never locks it out). */
  async connect(): Promise<void> {
    const { deviceId, secret } = this.options;
    const timestamp = timestampOf(this.options.clock.now());
    const client = mqtt.connect(this.options.brokerUrl, {
      clientId: `${deviceId}_0_0_${timestamp}`,
      username: deviceId,
      password: mqttPassword(secret, timestamp),
      protocolVersion: 4,
      clean: true,
      keepalive: 120,
      reconnectPeriod: 3000,
      connectTimeout: 10_000,
    });
    this.client = client;
    client.on('connect', () => {
      this.emit({ kind: 'connected' });
      // Legacy devices subscribe to their command topic; IoTDA devices are subscribed by the platform.
      const subs = this.options.subDevices;
      if (subs)
        this.publishAll(addSubDeviceRequests(deviceId, subs.productId, subs.nodeIds, this.options.clock.now()), {
          kind: 'answered',
        });
      if (this.options.dialect === 'legacy')
        client.subscribe(`/huawei/v1/devices/${deviceId}/command/json`, { qos: 1 }, (e) => {
          if (e) this.emit({ kind: 'error', message: `subscribing failed: ${e.message}` });
        });
    });
    client.on('close', () => this.emit({ kind: 'disconnected' }));
    client.on('error', (e) => this.emit({ kind: 'error', message: e.message }));
    client.on('message', (topic, payload) => this.answer(topic, payload));
    await new Promise<void>((resolve, reject) => {
      const onConnect = () => {
        client.off('error', onError);
        resolve();
      };
      const onError = (e: Error) => {
        client.off('connect', onConnect);
        client.end(true);
        reject(e);
      };
      client.once('connect', onConnect);
      client.once('error', onError);
    });
  }

  /** Starts reporting; the first report comes after a random part of the period so a fleet does not burst. */
  startReporting(): void {
    if (this.options.rate <= 0) return;
    const periodMs = Math.max(10, Math.round(1000 / this.options.rate));
    const offset = Math.floor(this.random() * periodMs);
    this.timer = this.options.clock.setTimeout(() => {
      this.report();
      this.timer = this.options.clock.setInterval(() => this.report(), periodMs);
    }, offset);
  }

  report(only?: ReadonlySet<string>): void {
    const client = this.client;
    if (!client?.connected || this.stopped) return;
    const now = this.options.clock.now();
    const subs = this.options.subDevices;
    if (subs) {
      if (this.subDevicesOnline && this.subDeviceIds.size > 0)
        this.publishAll(batchReports(this.deviceId, [...this.subDeviceIds], subs.model, this.random, now));
      return;
    }
    const services = generateReport(this.options.model, this.random, now)
      .filter((s) => only === undefined || only.has(s.serviceId))
      .map((s) => ({ ...s, properties: { ...s.properties, ...(this.applied.get(s.serviceId) ?? {}) } }));
    if (services.length === 0) return;
    const { deviceId } = this.options;
    const [topic, payload] =
      this.options.dialect === 'legacy'
        ? [
            `/huawei/v1/devices/${deviceId}/data/json`,
            {
              msgType: 'deviceReq',
              hasMore: 0,
              data: services.map((s) => ({
                serviceId: s.serviceId,
                serviceData: s.properties,
                eventTime: compactUtc(now),
              })),
            },
          ]
        : [
            `$oc/devices/${deviceId}/sys/properties/report`,
            {
              services: services.map((s) => ({
                service_id: s.serviceId,
                properties: s.properties,
                event_time: compactUtc(now),
              })),
            },
          ];
    client.publish(topic, JSON.stringify(payload), { qos: 1 }, (e) =>
      this.emit(e ? { kind: 'error', message: `report refused: ${e.message}` } : { kind: 'reported' }),
    );
  }

  /** Answers commands (legacy cloudReq → deviceRsp with the mid; IoTDA request_id → response) with success. */
  private answer(topic: string, payload: Buffer): void {
    const client = this.client;
    if (!client) return;
    const { deviceId } = this.options;
    if (this.options.subDevices && topic === `$oc/devices/${deviceId}/sys/events/down`) {
      const { added, deleted } = subDeviceChanges(payload);
      const fresh = added.filter((id) => !this.subDeviceIds.has(id));
      for (const id of fresh) this.subDeviceIds.add(id);
      for (const id of deleted) this.subDeviceIds.delete(id);
      if (fresh.length > 0 && this.subDevicesOnline)
        this.publishAll(subDeviceStatusUpdates(deviceId, fresh, 'ONLINE', this.options.clock.now()), {
          kind: 'answered',
        });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    if (this.ota && topic === `$oc/devices/${deviceId}/sys/events/down`) {
      const services = (body as { services?: unknown }).services;
      for (const s of Array.isArray(services) ? (services as unknown[]) : []) {
        const entry = typeof s === 'object' && s !== null ? (s as Record<string, unknown>) : {};
        if (entry.service_id === '$ota') this.ota.handle(entry.event_type, entry.paras);
      }
      return;
    }
    const request = body as {
      msgType?: unknown;
      mid?: unknown;
      cmd?: unknown;
      command_name?: unknown;
      service_id?: unknown;
    };
    let response: [string, unknown] | undefined;
    if (topic.startsWith('/huawei/v1/') && request.msgType === 'cloudReq' && typeof request.mid === 'number') {
      response = [
        `/huawei/v1/devices/${deviceId}/data/json`,
        { msgType: 'deviceRsp', mid: request.mid, errcode: 0, hasMore: 0, body: { result: 0 } },
      ];
    } else {
      const rid = /\/request_id=([^/]+)$/.exec(topic)?.[1];
      const prefix = `$oc/devices/${deviceId}/sys/`;
      if (rid && topic.startsWith(`${prefix}commands/`))
        response = [
          `${prefix}commands/response/request_id=${rid}`,
          {
            result_code: 0,
            response_name: typeof request.command_name === 'string' ? request.command_name : 'response',
            paras: { result: 'success' },
          },
        ];
      else if (rid && topic.startsWith(`${prefix}properties/set/`)) {
        response = [`${prefix}properties/set/response/request_id=${rid}`, { result_code: 0, result_desc: 'success' }];
        this.apply(body);
      } else if (rid && topic.startsWith(`${prefix}properties/get/`)) {
        const now = this.options.clock.now();
        const services = generateReport(this.options.model, this.random, now).filter(
          (s) => typeof request.service_id !== 'string' || s.serviceId === request.service_id,
        );
        response = [
          `${prefix}properties/get/response/request_id=${rid}`,
          {
            services: services.map((s) => ({
              service_id: s.serviceId,
              properties: s.properties,
              event_time: compactUtc(now),
            })),
          },
        ];
      }
    }
    if (!response) return;
    const applied = this.pendingReport;
    this.pendingReport = undefined;
    client.publish(response[0], JSON.stringify(response[1]), { qos: 1 }, (e) => {
      this.emit(e ? { kind: 'error', message: `answer refused: ${e.message}` } : { kind: 'answered' });
      if (!e && applied) this.report(applied);
    });
  }

  /** Services of a property set, reported once its answer is out. */
  private pendingReport: Set<string> | undefined;

  /** Keeps the values of a property set `{services:[{service_id, properties}]}` the model knows. */
  private apply(body: unknown): void {
    const services = (body as { services?: unknown }).services;
    if (!Array.isArray(services)) return;
    const changed = new Set<string>();
    for (const entry of services as { service_id?: unknown; properties?: unknown }[]) {
      const service = this.options.model.services.find((s) => s.serviceId === entry.service_id);
      if (!service || typeof entry.properties !== 'object' || entry.properties === null) continue;
      const known = Object.entries(entry.properties).filter(([k]) => service.properties.some((p) => p.name === k));
      if (known.length === 0) continue;
      this.applied.set(service.serviceId, {
        ...(this.applied.get(service.serviceId) ?? {}),
        ...Object.fromEntries(known),
      });
      changed.add(service.serviceId);
    }
    if (changed.size > 0) this.pendingReport = changed;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true);
  }
}
