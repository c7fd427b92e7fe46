// Gateways and their sub-devices: the gateway's view with its sub-devices as it reported them, the pairing
// window a DISCOVERY command opens, and a sub-device's state as its gateway last reported it.
import { z } from 'zod';
import { defineRoute } from './define.js';
import { deviceSchema } from './devices.js';

/** a DISCOVERY command opens the gateway's pairing window for this long. */
export const PAIRING_WINDOW_S = 180;

export const pairingWindowSchema = z.object({
  open: z.boolean(),
  /** ISO time the window closes (or closed). */
  until: z.string().optional(),
  /** Seconds left on the platform clock when this was read; 0 once closed. */
  remainingS: z.number().int().min(0),
  /** The DISCOVERY command that opened it. */
  commandId: z.string().optional(),
});
export type PairingWindow = z.infer<typeof pairingWindowSchema>;

export const subDeviceViewSchema = z.object({
  device: deviceSchema,
  /** The gateway that reported the sub-device's state (always its own gateway). */
  reportedBy: z.string(),
  /** When the gateway last said ONLINE/OFFLINE for it (`sub_device_update_status`). */
  statusReportedAt: z.string().optional(),
  /** The status the gateway last reported, in its words. */
  reportedStatus: z.enum(['ONLINE', 'OFFLINE']).optional(),
});
export type SubDeviceView = z.infer<typeof subDeviceViewSchema>;

export const gatewayViewSchema = z.object({
  deviceId: z.string(),
  /** An open MQTT session right now. */
  connected: z.boolean(),
  /** Since when the gateway has been gone (its session closed); absent while connected or never seen. */
  offlineSince: z.string().optional(),
  /** Grows with every change of its sub-device list (the `version` of the sub-device notifies). */
  version: z.number().int(),
  /** Sub-device notifies (add / delete) stored for the gateway, sent in order once it is connected. */
  queuedNotifies: z.number().int().min(0),
  /** The gateway's model defines a DISCOVERY command. */
  discoverySupported: z.boolean(),
  pairing: pairingWindowSchema,
  subDevices: z.array(subDeviceViewSchema),
});
export type GatewayView = z.infer<typeof gatewayViewSchema>;

export const subDeviceStateSchema = z.object({
  gatewayId: z.string(),
  gatewayName: z.string().optional(),
  gatewayConnected: z.boolean(),
  gatewayOfflineSince: z.string().optional(),
  statusReportedAt: z.string().optional(),
  reportedStatus: z.enum(['ONLINE', 'OFFLINE']).optional(),
});
export type SubDeviceState = z.infer<typeof subDeviceStateSchema>;

export const discoveryBodySchema = z.object({ paras: z.record(z.string(), z.unknown()).default({}) });

const gatewayParams = z.object({ id: z.string().min(1).max(160) });

export const gatewayRoutes = {
  getGateway: defineRoute({
    method: 'GET',
    path: '/api/gateways/:id',
    tag: 'gateways',
    summary: 'A gateway with its sub-devices, their state as the gateway reported it, and its pairing window',
    params: gatewayParams,
    response: gatewayViewSchema,
  }),
  startDiscovery: defineRoute({
    method: 'POST',
    path: '/api/gateways/:id/discovery',
    tag: 'gateways',
    summary: `Send DISCOVERY to the gateway (its model must define it) and open its pairing window for ${PAIRING_WINDOW_S} s`,
    params: gatewayParams,
    body: discoveryBodySchema,
    response: gatewayViewSchema,
    status: 201,
  }),
  syncGateway: defineRoute({
    method: 'POST',
    path: '/api/gateways/:id/sync',
    tag: 'gateways',
    summary: 'Send the gateway its whole sub-device list (add_sub_device_notify), as on its sub_device_sync_request',
    params: gatewayParams,
    response: z.object({ sent: z.boolean(), devices: z.number().int() }),
  }),
  getSubDeviceState: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/gateway-state',
    tag: 'gateways',
    summary: "A sub-device's state as its gateway last reported it, and whether that gateway is still there",
    params: gatewayParams,
    response: subDeviceStateSchema,
  }),
};
