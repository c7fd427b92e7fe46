// The MQTT device simulator: the capability, the fleet manager the CLI reuses, and the value generator.
export { createMqttSimulatorCapability, brokerUrlFor, type MqttSimulatorCapability } from './simulator-capability.js';
export { MqttSimulations, SimulationError, type SimulationDeps } from './mqtt-simulations.js';
export { VirtualMqttDevice } from './virtual-mqtt-device.js';
export { generateReport, generateValue, type Random } from './value-generator.js';
