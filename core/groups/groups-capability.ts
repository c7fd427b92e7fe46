// The groups capability: the group tree table, the service and its routes (membership and tags live in devices).
import type { Capability } from '../capability.js';
import { groupRoutes } from '../contract/groups.js';
import { csvLine } from '../devices/index.js';
import { GroupService, type GroupApps, type GroupMembership } from './group-service.js';
import { GroupStore, groupMigrations } from './group-store.js';

export interface GroupsCapability extends Capability {
  /** Available once started. */
  readonly service: GroupService;
}

export interface GroupsCapabilityOptions {
  /** Resolved when the capability starts: devices and apps start first. */
  devices: () => GroupMembership;
  apps: () => GroupApps;
}

export function createGroupsCapability(options: GroupsCapabilityOptions): GroupsCapability {
  let service: GroupService | undefined;
  return {
    name: 'groups',
    migrations: groupMigrations,
    get service() {
      if (!service) throw new Error('the groups capability has not started');
      return service;
    },

    start({ db, clock, routes }) {
      const groups = new GroupService(new GroupStore(db), clock, options.devices(), options.apps());
      service = groups;
      routes.add(groupRoutes.groupTree, ({ query }) => {
        const appId = groups.appOrDefault(query.appId);
        return { appId, roots: groups.tree(appId) };
      });
      routes.add(groupRoutes.createGroup, ({ query, body }) => groups.create(groups.appOrDefault(query.appId), body));
      routes.add(groupRoutes.getGroup, ({ params }) => groups.get(params.groupId));
      routes.add(groupRoutes.updateGroup, ({ params, body }) => groups.update(params.groupId, body));
      routes.add(groupRoutes.moveGroup, ({ params, body }) => groups.move(params.groupId, body.parentId));
      routes.add(groupRoutes.deleteGroup, ({ params, query }) => groups.delete(params.groupId, query.mode));
      routes.add(groupRoutes.groupDevices, ({ params, query }) => groups.members(params.groupId, query));
      routes.add(groupRoutes.bindGroupDevices, ({ params, body }) => ({
        groupId: params.groupId,
        deviceIds: body.deviceIds,
        moved: groups.bind(params.groupId, body.deviceIds).moved,
      }));
      routes.add(groupRoutes.unbindGroupDevices, ({ params, body }) => ({
        groupId: params.groupId,
        unbound: groups.unbind(params.groupId, body.deviceIds),
      }));
      routes.add(groupRoutes.exportGroups, ({ query }) => {
        const appId = groups.appOrDefault(query.appId);
        const text = query.format === 'csv' ? groups.exportCsv(appId).map(csvLine).join('') : groups.exportJson(appId);
        return {
          contentType: query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json',
          fileName: `groups-${appId}.${query.format}`,
          bytes: Buffer.from(text, 'utf8'),
        };
      });
      routes.add(groupRoutes.resolveBatchTarget, ({ query, body }) => {
        const deviceIds = groups.resolveTarget(body, groups.appOrDefault(query.appId));
        return { total: deviceIds.length, deviceIds: deviceIds.slice(0, 1000) };
      });
    },
  };
}
