// CoAP/LwM2M device access: the capability, the server interface other capabilities call, (the pure codecs are in core/protocols/lwm2m).
export {
  type Lwm2mServer,
  type Lwm2mReadOptions,
  type Lwm2mRequestOptions,
  type Lwm2mWriteInput,
  type Lwm2mServerErrorCode,
  Lwm2mServerError,
} from '../../device-link/lwm2m-link.js';
export { createCoapAccessCapability, type CoapAccessCapability, type CoapAccessDeps } from './coap-access.js';
