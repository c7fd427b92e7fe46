// The Agent-Lite-style bind exchange, our design on the device side: the public Agent Lite API names what
// goes in (IOTA_Bind: verify code + device info) and what comes back (result, deviceId, device secret, appId, MQTT
// address and port), not the wire format — see docs/agent-lite-bind.md. Pure: bytes in, a request or an error out.
import { z } from 'zod';
import { optionalField } from '../contract/define.js';
import { nodeIdSchema } from '../contract/devices.js';
import { parseJson, schemaError, type UplinkParse } from '../protocols/mqtt/uplink-payloads.js';

export const BIND_PATH = '/iocm/dev/sec/v1.1.0/bind';
/** The Agent Lite SDK binds to the platform's IoCM server on this port by default. */
export const DEFAULT_BIND_PORT = 8943;
export const MAX_BIND_BODY_BYTES = 4096;

/** Agent Lite's bind result values (EN_IOTA_BIND_RESULT_TYPE). */
export const BIND_RESULT = { success: 0, notRegistered: 1, codeExpired: 2, failed: 255 } as const;

export interface BindRequest {
  verifyCode: string;
  nodeId: string;
}

const text = (max: number) => optionalField(z.string().max(max));
const bindSchema = z.object({
  verifyCode: z.string().min(1).max(64),
  deviceInfo: z.object({
    nodeId: nodeIdSchema,
    manufacturerId: text(64),
    manufacturerName: text(64),
    deviceType: text(64),
    model: text(64),
    protocolType: text(32),
    name: text(128),
  }),
});

export function parseBindRequest(bytes: Uint8Array): UplinkParse<BindRequest> {
  const json = parseJson(bytes);
  if (!json.ok) return json;
  const r = bindSchema.safeParse(json.value);
  if (!r.success) return { ok: false, error: schemaError(r.error, 'bind request') };
  return { ok: true, value: { verifyCode: r.data.verifyCode, nodeId: r.data.deviceInfo.nodeId } };
}

/** The HTTP status and Agent Lite result of a refused bind, by the registry's error code. */
export function bindRefusal(code: string): { status: number; resultCode: number } {
  switch (code) {
    case 'BIND_NOT_REGISTERED':
      return { status: 404, resultCode: BIND_RESULT.notRegistered };
    case 'BIND_CODE_EXPIRED':
      return { status: 410, resultCode: BIND_RESULT.codeExpired };
    case 'BIND_WRONG_CODE':
      return { status: 403, resultCode: BIND_RESULT.failed };
    case 'BIND_ALREADY_BOUND':
      return { status: 409, resultCode: BIND_RESULT.failed };
    default:
      return { status: 400, resultCode: BIND_RESULT.failed };
  }
}
