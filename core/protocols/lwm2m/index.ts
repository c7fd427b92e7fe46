// LwM2M content formats and object definitions: pure encoders and decoders shared by the server, the simulator and traffic.
export { parseTlv, encodeTlv, type TlvEntry, type TlvNode } from './tlv.js';
export { parseLinkFormat, formatLinkFormat, registeredObjects, type Link } from './link-format.js';
export { parseSenmlJson, parseSenmlCbor, encodeSenmlJson, encodeSenmlCbor, type SenmlEntry } from './senml.js';
export { decodePayload, encodeWrite, encodeResourceValues, type TypedResourceValue } from './payload-codec.js';
export { valueFromBytes, valueFromText, valueToBytes, valueToText, type ResourceValue } from './resource-values.js';
export { loadLwm2mDefinitions, type Lwm2mDefinitions } from './lwm2m-definitions.js';
