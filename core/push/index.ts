// Subscriptions and push: what other capabilities use.
//
// Durable push to any callback URL (command status callbacks, §1.7):
//
//   push.delivery.enqueue({ url, body, notifyType, deviceId?, requestId? }): EnqueueResult
//     url        http(s) callback URL with an explicit port (HTTPS is verified with the CA uploaded for its host:port)
//     body       any JSON value; POSTed as application/json
//     notifyType shown with the delivery in the URL's history (e.g. 'commandStatus')
//     deviceId   keeps the device's messages in order and names the device in the history
//     requestId  lets receivers dedupe (delivery is at least once)
//   → { accepted: true, messageId } once the message is committed to SQLite, before enqueue returns;
//   → { accepted: false, reason } while the URL is invalid (the message is dropped and counted).
//   Same rules as subscription pushes: 2xx delivers; no answer in 15 s or 501–504 fails and is retried every 30 s
//   for up to 10 minutes; after 10 failed retries the URL is invalid and probed every minute.
//   push.delivery.state(url): PushUrlState — ok / failing / invalid, last error, last success, queue depth.
export {
  createPushCapability,
  type PushCapability,
  type PushCapabilityOptions,
  type PushDeliveryPort,
} from './push-capability.js';
export type { EnqueueResult, PushMessage } from './push-delivery.js';
export type { PushSources } from './push-notifier.js';
export type { PushDeviceView, UpgradeNotice } from './notification-bodies.js';
