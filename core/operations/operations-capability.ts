// Operation records: one per-device list gathered from the capabilities that operate on devices; it owns
// no table, each record stays where its capability keeps it.
import type { Capability } from '../capability.js';
import { operationRoutes, type OperationRecord } from '../contract/operations.js';

/** One capability's records of a device. */
export type OperationSource = (deviceId: string) => OperationRecord[];

export interface OperationRecordsCapability extends Capability {
  records(deviceId: string): OperationRecord[];
}

export function createOperationRecordsCapability(sources: () => OperationSource[]): OperationRecordsCapability {
  const records = (deviceId: string) =>
    sources()
      .flatMap((source) => source(deviceId))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  return {
    name: 'operations',
    migrations: [],
    records,
    start({ routes }) {
      routes.add(operationRoutes.deviceOperationRecords, ({ params, query }) => ({
        items: records(params.id).filter((r) => query.kind === undefined || r.kind === query.kind),
      }));
    },
  };
}
