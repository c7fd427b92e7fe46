// What other capabilities use of data: the store (ingest, recordError, latest, history).
export { createDataCapability, type DataCapability } from './data-capability.js';
export { DataStore, DEFAULT_RETENTION_DAYS, type IngestedReport, type ServiceReport } from './data-store.js';
export { parseEventTime } from './event-time.js';
export { checkReport, type UplinkDecoder, type UplinkError, type UplinkPipeline } from './uplink-pipeline.js';
