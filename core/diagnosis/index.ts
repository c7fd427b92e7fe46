// Remote diagnosis: the capability, its service and the LwM2M link it is wired with.
export { createDiagnosisCapability, type DiagnosisCapability } from './diagnosis-capability.js';
export { DiagnosisService, diagnosisRefusalFor, type DiagnosisDeviceLink } from './diagnosis-service.js';
export { lwm2mDiagnosisLink } from './lwm2m-link.js';
