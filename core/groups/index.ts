// Device groups: the capability and its service (batch targets resolve through `resolveTarget`).
export { createGroupsCapability, type GroupsCapability } from './groups-capability.js';
export { GroupService, DEFAULT_GROUP_NAME, type GroupApps, type GroupMembership } from './group-service.js';
