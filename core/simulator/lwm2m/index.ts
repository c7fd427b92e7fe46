// Simulated NB-IoT (LwM2M) devices: the capability, fleets, one virtual device and its LwM2M client.
export { createLwm2mSimulatorCapability, type Lwm2mSimulatorCapability } from './simulator-capability.js';
export { Lwm2mFleets, SimulatorError } from './lwm2m-fleet.js';
export { VirtualNbDevice } from './virtual-nb-device.js';
export { Lwm2mDeviceClient, type Lwm2mClientEvent } from './lwm2m-device-client.js';
export { encodeDataWithLayout, generatedFrame } from './uplink-frames.js';
