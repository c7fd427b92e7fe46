// The push capability: subscriptions, the durable delivery queue and URL state, callback CAs, the test receiver,
// its workbench routes, its northbound section and `push` events; notifications come from the platform's events.
import type { Capability } from '../capability.js';
import type { PushUrlState } from '../contract/push.js';
import { pushRoutes } from '../contract/push.js';
import type { DeviceMessage, DeviceResponse } from '../device-link/index.js';
import type { RegistryChange } from '../devices/index.js';
import type { IngestedReport } from '../data/index.js';
import type { NorthboundContext } from '../northbound/index.js';
import type { ProductChange } from '../products/index.js';
import { CallbackCas } from './callback-cas.js';
import { PushDelivery, type EnqueueResult, type PushMessage } from './push-delivery.js';
import { PushPoster } from './push-http.js';
import { registerPushNorthboundRoutes } from './push-northbound-routes.js';
import type { UpgradeNotice } from './notification-bodies.js';
import { PushNotifier, type PushSources } from './push-notifier.js';
import { PushStore, pushMigrations } from './push-store.js';
import { PushSubscriptions } from './push-subscriptions.js';
import { PushTestReceiver } from './test-receiver.js';

/** The durable entry point other capabilities push through (command status callbacks). */
export interface PushDeliveryPort {
  enqueue(message: PushMessage): EnqueueResult;
  state(url: string): PushUrlState;
}

export interface PushCapabilityOptions {
  sources: () => PushSources;
  /** Whether an application exists (404 otherwise) and stores history data. */
  apps: () => { require(appId: string): { storeHistory: boolean } };
  devices: () => { onChange(listener: (change: RegistryChange) => void): () => void };
  data: () => { onIngested(listener: (report: IngestedReport) => void): () => void };
  products: () => { onChange(listener: (change: ProductChange) => void): () => void };
  link: () => {
    onResponse(listener: (response: DeviceResponse) => void): () => void;
    onMessage(listener: (message: DeviceMessage) => void): () => void;
  };
  /** Delivery results of desired shadow values. */
  shadow?: () => {
    onDeliveryResult(
      listener: (result: {
        deviceId: string;
        serviceId: string;
        properties: Record<string, unknown>;
        status: 'DELIVERED' | 'FAILED';
      }) => void,
    ): () => void;
  };
}

export interface PushCapability extends Capability {
  readonly delivery: PushDeliveryPort;
  readonly subscriptions: PushSubscriptions;
  /** The northbound section (§1.10): give it to the northbound capability's `sections`. */
  northboundSection(context: NorthboundContext): void;
  /** Upgrade state and result notifications (core/ota) for the device's application. */
  upgrade(notice: UpgradeNotice): void;
}

interface Running {
  store: PushStore;
  delivery: PushDelivery;
  subscriptions: PushSubscriptions;
  receiver: PushTestReceiver;
  notifier: PushNotifier;
  unsubscribe: Array<() => void>;
}

export function createPushCapability(options: PushCapabilityOptions): PushCapability {
  let running: Running | undefined;
  const require = () => {
    if (!running) throw new Error('the push capability has not started');
    return running;
  };
  return {
    name: 'push',
    migrations: pushMigrations,
    delivery: {
      enqueue: (message) => require().delivery.enqueue(message),
      state: (url) => require().delivery.state(url),
    },
    get subscriptions() {
      return require().subscriptions;
    },
    northboundSection(context) {
      registerPushNorthboundRoutes(require().subscriptions, context);
    },
    upgrade: (notice) => require().notifier.upgrade(notice),

    async start({ db, clock, bus, routes, logger }) {
      const log = logger.child({ source: 'push' });
      const store = new PushStore(db);
      const poster = new PushPoster(clock, (hostPort) => cas.tlsFor(hostPort));
      const cas = new CallbackCas(store, clock, () => poster.reset());
      const lastEvent = new Map<string, number>();
      const delivery = new PushDelivery(
        store,
        clock,
        poster,
        (url, change) => {
          // Deliveries at flood rates are announced at most every 200 ms per URL; state changes always.
          const now = clock.now();
          if (change === 'delivery' && now - (lastEvent.get(url) ?? 0) < 200) return;
          lastEvent.set(url, now);
          bus.publish('push', { at: now, kind: change, url, state: delivery.state(url).state });
        },
        log,
      );
      const subscriptions = new PushSubscriptions(store, clock);
      const receiver = new PushTestReceiver(clock, () => bus.publish('push', { at: clock.now(), kind: 'received' }));
      const notifier = new PushNotifier(subscriptions, delivery, options.sources());
      const guarded =
        <T>(what: string, fn: (value: T) => void) =>
        (value: T) => {
          try {
            fn(value);
          } catch (error) {
            log.error({ err: error }, `could not queue the push for ${what}`);
          }
        };

      const unsubscribe = [
        options.devices().onChange(
          guarded('a device change', (change) => {
            if (change.kind === 'deleting') notifier.deviceDeleting(change.deviceId);
            if (change.kind === 'deleted') notifier.deviceDeleted(change.deviceId);
            if (change.kind === 'activated') notifier.bindDevice(change.deviceId, 'succeeded');
            if (change.kind === 'activationExpired') notifier.bindDevice(change.deviceId, 'expired');
          }),
        ),
        bus.subscribe(
          'device',
          guarded('a device event', (event) => {
            // Registration: the northbound API claims the device for its application right after registering it.
            if (event.kind === 'registered')
              queueMicrotask(() => guarded('deviceAdded', notifier.deviceAdded.bind(notifier))(event.deviceId));
            else if (event.kind !== 'deleted') notifier.deviceInfoChanged(event.deviceId);
          }),
        ),
        bus.subscribe(
          'command',
          guarded('a command event', (event) => notifier.messageConfirm(event)),
        ),
        options.data().onIngested(guarded('stored data', (report) => notifier.dataIngested(report))),
        options
          .products()
          .onChange(guarded('a product change', ({ kind, product }) => notifier.productChanged(kind, product.model))),
        options.link().onResponse(
          guarded('a command response', (response) => {
            if (response.protocol === 'mqtt') notifier.commandResponse(response);
          }),
        ),
        options.link().onMessage(guarded('a device message', (message) => notifier.deviceMessage(message))),
        ...(options.shadow
          ? [
              options
                .shadow()
                .onDeliveryResult(guarded('a desired delivery', (result) => notifier.desiredStatusChanged(result))),
            ]
          : []),
      ];
      await receiver.start();
      running = { store, delivery, subscriptions, receiver, notifier, unsubscribe };
      delivery.start();

      const urlStates = (urls: string[]) => urls.map((url) => delivery.state(url));
      routes.add(pushRoutes.listSubscriptions, ({ params }) => {
        const app = options.apps().require(params.appId);
        return {
          items: subscriptions.list({ appId: params.appId }),
          urls: urlStates(subscriptions.urls(params.appId)),
          pushing: app.storeHistory,
        };
      });
      routes.add(pushRoutes.createSubscription, ({ params, body }) => {
        options.apps().require(params.appId);
        return subscriptions.create({ appId: params.appId, ownerAppId: params.appId, ...body });
      });
      routes.add(pushRoutes.deleteSubscription, ({ params }) => {
        subscriptions.delete(params.subscriptionId, params.appId);
        return { deleted: true as const };
      });
      routes.add(pushRoutes.listPushDeliveries, ({ query }) => ({
        items: store.deliveries(query.url, query.limit).map((r) => ({
          id: r.id,
          url: r.url,
          at: new Date(r.at).toISOString(),
          notifyType: r.notify_type,
          ...(r.device_id !== null ? { deviceId: r.device_id } : {}),
          outcome: r.outcome,
          ...(r.status_code !== null ? { statusCode: r.status_code } : {}),
          ...(r.latency_ms !== null ? { latencyMs: r.latency_ms } : {}),
          ...(r.error !== null ? { error: r.error } : {}),
          body: r.body,
        })),
      }));
      routes.add(pushRoutes.retryPushUrl, ({ body }) => delivery.retryNow(body.url));
      routes.add(pushRoutes.listCallbackCas, () => ({ items: cas.list() }));
      routes.add(pushRoutes.putCallbackCa, ({ body }) => cas.put(body));
      routes.add(pushRoutes.deleteCallbackCa, ({ params }) => {
        cas.delete(params.hostPort);
        return { deleted: true as const };
      });
      routes.add(pushRoutes.getTestReceiver, () => receiver.view());
      routes.add(pushRoutes.setTestReceiver, ({ body }) => receiver.configure(body));
    },

    async stop() {
      const r = running;
      running = undefined;
      if (!r) return;
      for (const u of r.unsubscribe) u();
      r.delivery.stop();
      await r.receiver.stop();
    },
  };
}
