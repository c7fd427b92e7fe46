// Operation records per device: the capability and the mapping of each capability's view to a record.
export {
  createOperationRecordsCapability,
  type OperationRecordsCapability,
  type OperationSource,
} from './operations-capability.js';
export { configRecord, diagnosisRecord, upgradeRecord } from './record-sources.js';
