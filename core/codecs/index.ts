// What other capabilities use of codecs: the capability (decodeUplink / encodeCommand) and the product lookup it needs.
export { createCodecsCapability, type CodecsCapability, type CodecsCapabilityOptions } from './codecs-capability.js';
export { CodecService, parseLayoutSource, type ProductLookup } from './codec-service.js';
export { generateLayoutC } from './layout-c-generator.js';
export type { ScriptPoolOptions } from './script-pool.js';
export { encodeLayoutRaw, integerRangeOf, isNumberType, type LayoutOutcome, type RawValues } from './layout-codec.js';
