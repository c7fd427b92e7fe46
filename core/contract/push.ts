// Subscriptions and push: what an application subscribes, the state of each callback URL, recent deliveries,
// CA certificates per callback host:port, and the built-in test receiver.
import { z } from 'zod';
import { defineRoute } from './define.js';

/** Business notifications (§1.10). */
export const businessNotifyTypes = [
  'deviceAdded',
  'bindDevice',
  'deviceInfoChanged',
  'deviceDataChanged',
  'deviceDatasChanged',
  'deviceCapabilitiesChanged',
  'deviceCapabilitiesAdded',
  'deviceCapabilitiesDeleted',
  'deviceDeleted',
  'messageConfirm',
  'commandRsp',
  'deviceEvent',
  'serviceInfoChanged',
  'ruleEvent',
  'deviceModelAdded',
  'deviceModelDeleted',
  'deviceDesiredPropertiesModifyStatusChanged',
] as const;
/** Management notifications (§1.10, `/iodm/app/sub/v1.1.0/subscribe`). */
export const managementNotifyTypes = [
  'swUpgradeStateChangeNotify',
  'swUpgradeResultNotify',
  'fwUpgradeStateChangeNotify',
  'fwUpgradeResultNotify',
] as const;
export const notifyTypes = [...businessNotifyTypes, ...managementNotifyTypes] as const;
export type NotifyType = (typeof notifyTypes)[number];
export const notifyTypeSchema = z.enum(notifyTypes);
export const businessNotifyTypeSchema = z.enum(businessNotifyTypes);
export const managementNotifyTypeSchema = z.enum(managementNotifyTypes);

export const subscriptionSchema = z.object({
  subscriptionId: z.string(),
  /** Whose devices' notifications this subscription receives. */
  appId: z.string(),
  /** Who owns the callback (ownerFlag true: the authorised application that subscribed). */
  ownerAppId: z.string(),
  notifyType: notifyTypeSchema,
  callbackUrl: z.string(),
  createdAt: z.string(),
});
export type Subscription = z.infer<typeof subscriptionSchema>;

export const urlStates = ['ok', 'failing', 'invalid'] as const;
export type UrlStateName = (typeof urlStates)[number];

export const pushUrlStateSchema = z.object({
  url: z.string(),
  state: z.enum(urlStates),
  queueDepth: z.number().int(),
  delivered: z.number().int(),
  /** Messages dropped: the URL went invalid, the 10-minute window ran out, or they arrived while invalid. */
  dropped: z.number().int(),
  /** Failed attempts since the last success. */
  failures: z.number().int(),
  lastError: z.string().optional(),
  lastErrorAt: z.string().optional(),
  lastSuccessAt: z.string().optional(),
  /** While invalid: when the next probe goes out. */
  nextProbeAt: z.string().optional(),
});
export type PushUrlState = z.infer<typeof pushUrlStateSchema>;

export const deliveryOutcomes = ['delivered', 'failed', 'rejected', 'dropped', 'probe'] as const;
export const pushDeliverySchema = z.object({
  id: z.number().int(),
  url: z.string(),
  at: z.string(),
  notifyType: z.string(),
  deviceId: z.string().optional(),
  outcome: z.enum(deliveryOutcomes),
  statusCode: z.number().int().optional(),
  latencyMs: z.number().int().optional(),
  error: z.string().optional(),
  body: z.string(),
});
export type PushDelivery = z.infer<typeof pushDeliverySchema>;

export const callbackCaSchema = z.object({
  /** `host:port` of the callback URLs this CA verifies. */
  hostPort: z.string(),
  /** Check the server certificate's name (CN / subjectAltName) against the URL's host. */
  checkCn: z.boolean(),
  /** Send the host name in the TLS ClientHello (SNI). */
  sni: z.boolean(),
  subject: z.string(),
  fingerprint256: z.string(),
  validTo: z.string(),
});
export type CallbackCa = z.infer<typeof callbackCaSchema>;

/** What the test receiver answers: 200, or a failure to try the retry rules. */
export const receiverAnswerSchema = z.union([z.literal(200), z.literal(503), z.literal('none')]);

export const receivedPushSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  path: z.string(),
  notifyType: z.string().optional(),
  deviceId: z.string().optional(),
  /** What the receiver answered this push. */
  answered: receiverAnswerSchema,
  body: z.string(),
});
export type ReceivedPush = z.infer<typeof receivedPushSchema>;

export const testReceiverSchema = z.object({
  /** The callback URL to subscribe (loopback); undefined while it is not listening. */
  callbackUrl: z.string().optional(),
  answer: receiverAnswerSchema,
  received: z.array(receivedPushSchema),
});
export type TestReceiver = z.infer<typeof testReceiverSchema>;

const appParams = z.object({ appId: z.string().min(1).max(64) });
const hostPortSchema = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:8443');

export const pushRoutes = {
  listSubscriptions: defineRoute({
    method: 'GET',
    path: '/api/apps/:appId/subscriptions',
    tag: 'push',
    summary: "The application's subscriptions, the state of their callback URLs, and whether pushes are on (R-5.3)",
    params: appParams,
    response: z.object({
      items: z.array(subscriptionSchema),
      urls: z.array(pushUrlStateSchema),
      /** False while the application does not store history data: nothing is pushed. */
      pushing: z.boolean(),
    }),
  }),
  createSubscription: defineRoute({
    method: 'POST',
    path: '/api/apps/:appId/subscriptions',
    tag: 'push',
    summary: 'Subscribe a callback URL (http or https, explicit port) to one notify type',
    params: appParams,
    body: z.object({ notifyType: notifyTypeSchema, callbackUrl: z.string().min(1).max(1024) }),
    response: subscriptionSchema,
    status: 201,
  }),
  deleteSubscription: defineRoute({
    method: 'DELETE',
    path: '/api/apps/:appId/subscriptions/:subscriptionId',
    tag: 'push',
    summary: 'Delete one subscription',
    params: appParams.extend({ subscriptionId: z.string().min(1).max(64) }),
    response: z.object({ deleted: z.literal(true) }),
  }),
  listPushDeliveries: defineRoute({
    method: 'GET',
    path: '/api/push/deliveries',
    tag: 'push',
    summary: 'Recent delivery attempts to one callback URL, newest first',
    query: z.object({ url: z.string().min(1), limit: z.coerce.number().int().min(1).max(200).default(50) }),
    response: z.object({ items: z.array(pushDeliverySchema) }),
  }),
  retryPushUrl: defineRoute({
    method: 'POST',
    path: '/api/push/urls/retry',
    tag: 'push',
    summary: 'Try a callback URL now (its next queued message, or a probe while it is invalid)',
    body: z.object({ url: z.string().min(1) }),
    response: pushUrlStateSchema,
  }),
  listCallbackCas: defineRoute({
    method: 'GET',
    path: '/api/push/cas',
    tag: 'push',
    summary: 'CA certificates by callback host:port',
    response: z.object({ items: z.array(callbackCaSchema) }),
  }),
  putCallbackCa: defineRoute({
    method: 'PUT',
    path: '/api/push/cas',
    tag: 'push',
    summary: 'Upload the CA certificate (PEM) that verifies HTTPS callbacks on one host:port',
    body: z.object({
      hostPort: hostPortSchema,
      caPem: z
        .string()
        .min(1)
        .max(64 * 1024),
      checkCn: z.boolean().default(true),
      sni: z.boolean().default(true),
    }),
    response: callbackCaSchema,
  }),
  deleteCallbackCa: defineRoute({
    method: 'DELETE',
    path: '/api/push/cas/:hostPort',
    tag: 'push',
    summary: 'Remove the CA certificate of one host:port',
    params: z.object({ hostPort: hostPortSchema }),
    response: z.object({ deleted: z.literal(true) }),
  }),
  getTestReceiver: defineRoute({
    method: 'GET',
    path: '/api/push/receiver',
    tag: 'push',
    summary: 'The built-in test receiver: its loopback callback URL and what it received, newest first',
    response: testReceiverSchema,
  }),
  setTestReceiver: defineRoute({
    method: 'PUT',
    path: '/api/push/receiver',
    tag: 'push',
    summary: 'What the test receiver answers (200, 503, or no answer), or clear what it received',
    body: z.object({
      answer: receiverAnswerSchema.optional(),
      clear: z.boolean().optional(),
    }),
    response: testReceiverSchema,
  }),
} as const;
