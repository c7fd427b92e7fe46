// The downlink port other capabilities use to reach devices (see device-link.ts); adapters implement it.
export * from './device-link.js';
export * from './lwm2m-link.js';
