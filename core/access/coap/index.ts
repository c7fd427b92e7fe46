// CoAP/LwM2M device access: the capability, the server interface other capabilities call, and the pure codecs.
export {
  type Lwm2mServer,
  type Lwm2mReadOptions,
  type Lwm2mRequestOptions,
  type Lwm2mWriteInput,
  type Lwm2mServerErrorCode,
  Lwm2mServerError,
} from './lwm2m-server.js';
export {
  createCoapAccessCapability,
  type CoapAccessCapability,
  type CoapAccessDeps,
  type UplinkDecoder,
} from './coap-access.js';
export { parseTlv, encodeTlv, type TlvEntry, type TlvNode } from './tlv.js';
export { parseLinkFormat, formatLinkFormat, registeredObjects, type Link } from './link-format.js';
export { parseSenmlJson, parseSenmlCbor, encodeSenmlJson, encodeSenmlCbor, type SenmlEntry } from './senml.js';
export { decodePayload, encodeWrite, encodeResourceValues, type TypedResourceValue } from './payload-codec.js';
export { valueFromBytes, valueFromText, valueToBytes, valueToText, type ResourceValue } from './resource-values.js';
export { uintOption, readUint } from './coap-endpoint.js';
