// What other capabilities use of traffic: the capability and the codec-layer contract it decodes frames with.
export {
  createTrafficCapability,
  type TrafficCapability,
  type TrafficCapabilityOptions,
} from './traffic-capability.js';
export type { CodecResolver } from './codec-layer.js';
