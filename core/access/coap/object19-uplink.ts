// Object 19 (LwM2M APPDATA) uplink: the bytes of each /19/0/0 notification, PCP frames set apart, the rest to the
// one uplink pipeline (the product's codec, the model's checks, storage); command responses to the device link.
import { lwm2mContentFormats as CF, type Lwm2mValue } from '../../contract/lwm2m.js';
import type { CoapAccessState } from './coap-access-state.js';
import type { NotifiedValues } from './lwm2m-observations.js';

export const APP_DATA_PATH = '/19/0/0';

/** PCP frames share object 19 with business data and start with FF FE (facts §5.3): not for the codec. */
const isPcpFrame = (b: Uint8Array) => b.length >= 2 && b[0] === 0xff && b[1] === 0xfe;

/** The bytes of a /19/0/0 notification: opaque as is; TLV or SenML: each Data resource instance. */
function appDataFrames(contentFormat: number | undefined, payload: Buffer, values: Lwm2mValue[] | undefined) {
  // The payload is a view of its own datagram's buffer, so the pipeline may keep it without a copy.
  if (contentFormat === undefined || contentFormat === CF.opaque) return payload.length ? [payload] : [];
  return (values ?? [])
    .filter((v) => v.type === 'opaque' && typeof v.value === 'string' && v.value.length > 0)
    .map((v) => Uint8Array.from(Buffer.from(v.value as string, 'hex')));
}

export interface Object19Uplink {
  /** A decoded notification: when it is of /19/0/0, its frames go up. */
  notified: NotifiedValues;
}

export function createObject19Uplink(state: CoapAccessState): Object19Uplink {
  const appData = async (deviceId: string, bytes: Uint8Array) => {
    if (isPcpFrame(bytes)) return;
    const productId = state.runtime?.registrations.get(deviceId)?.productId;
    if (!productId) return;
    try {
      const decoded = await state.deps.uplink.decode({ deviceId, productId }, APP_DATA_PATH, bytes);
      // A command response belongs to whoever sent the command: the queues waiting on the device link.
      if (decoded?.kind === 'commandResponse')
        state.deps.link.response({
          at: state.started.clock.now(),
          deviceId,
          protocol: 'lwm2m',
          commandId: String(decoded.mid),
          resultCode: decoded.errcode,
          body: decoded.body,
        });
    } catch (error) {
      state.runtime?.log.error({ err: error }, `storing object 19 data of ${deviceId} failed`);
    }
  };

  return {
    notified(deviceId, path, contentFormat, payload, values) {
      if (path !== APP_DATA_PATH) return;
      for (const bytes of appDataFrames(contentFormat, payload, values)) void appData(deviceId, bytes);
    },
  };
}
