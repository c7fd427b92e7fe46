// Object 19 (LwM2M APPDATA) uplink: the bytes of each /19/0/0 notification, PCP frames set apart, the rest to the
// one uplink pipeline (the product's codec, the model's checks, storage); command responses to the device link.
import { lwm2mContentFormats as CF, type Lwm2mValue } from '../../contract/lwm2m.js';
import type { ProductModel } from '../../contract/product-model.js';
import { decodePcpFrame, looksLikePcp, type PcpFrame } from '../../protocols/pcp/pcp-frame.js';
import type { CoapAccessState } from './coap-access-state.js';
import type { NotifiedValues } from './lwm2m-observations.js';

export const APP_DATA_PATH = '/19/0/0';

/** The product upgrades software over PCP (its omCapability says so). */
export const upgradesOverPcp = (model: ProductModel | undefined): boolean =>
  model?.omCapability?.upgrade?.supported === true && model.omCapability.upgrade.protocol === 'PCP';

/**
 * PCP shares object 19 with business data. Bytes are PCP only when the product upgrades over PCP and they
 * are a whole valid frame (start, version, code, checksum, length); anything else is business data for the codec.
 */
export function pcpFrameOf(model: ProductModel | undefined, bytes: Uint8Array): PcpFrame | undefined {
  if (!looksLikePcp(bytes) || !upgradesOverPcp(model)) return undefined;
  const frame = decodePcpFrame(bytes, { sender: 'device' });
  return frame.valid ? frame : undefined;
}

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
  /** Whether the device's product upgrades over PCP; undefined when its product is not known. */
  pcpSupport: (deviceId: string) => boolean | undefined;
}

export function createObject19Uplink(state: CoapAccessState): Object19Uplink {
  const appData = async (deviceId: string, bytes: Uint8Array) => {
    const productId = state.runtime?.registrations.get(deviceId)?.productId;
    if (!productId) return;
    // Only bytes that start like PCP pay for the product lookup and the frame check.
    const pcp = looksLikePcp(bytes) ? pcpFrameOf(state.deps.productModel(productId), bytes) : undefined;
    if (pcp) {
      // PCP goes to the upgrade work (core/ota) through the device link; the traffic inspector shows the frame.
      state.runtime?.log.debug(`PCP ${pcp.kind} ${pcp.code} (${pcp.codeName}) from ${deviceId}`);
      state.deps.link.pcp?.({ at: state.started.clock.now(), deviceId, bytes });
      return;
    }
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
    pcpSupport(deviceId) {
      const productId =
        state.runtime?.registrations.get(deviceId)?.productId ?? state.deps.devices().get(deviceId)?.productId;
      const model = productId === undefined ? undefined : state.deps.productModel(productId);
      return model ? upgradesOverPcp(model) : undefined;
    },
    notified(deviceId, path, contentFormat, payload, values) {
      if (path !== APP_DATA_PATH) return;
      for (const bytes of appDataFrames(contentFormat, payload, values)) void appData(deviceId, bytes);
    },
  };
}
