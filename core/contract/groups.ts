// Device groups (a tree per application) and device tags: the routes of core/groups and the tag routes of core/devices.
import { z } from 'zod';
import { binaryDownloadSchema, defineRoute } from './define.js';

export const groupSchema = z.object({
  id: z.string(),
  appId: z.string(),
  name: z.string(),
  description: z.string().optional(),
  /** Undefined for a root group. */
  parentId: z.string().optional(),
  /** 0 = no limit. */
  maxDevNum: z.number().int(),
  curDevNum: z.number().int(),
  isDefault: z.boolean(),
  creator: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DeviceGroup = z.infer<typeof groupSchema>;

export interface GroupTreeNode extends DeviceGroup {
  children: GroupTreeNode[];
}
export const groupTreeNodeSchema: z.ZodType<GroupTreeNode> = groupSchema.extend({
  children: z.lazy(() => z.array(groupTreeNodeSchema)),
});

const groupName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^\\/<>"'&]+$/, 'a group name may not hold \\ / < > " \' or &');
const deviceIds = z.array(z.string().min(1).max(160)).max(10_000);

export const createGroupBodySchema = z.object({
  name: groupName,
  description: z.string().max(1024).optional(),
  parentId: z.string().min(1).max(64).optional(),
  maxDevNum: z.number().int().min(0).max(1_000_000).optional(),
  deviceIds: deviceIds.optional(),
});
export type CreateGroupBody = z.infer<typeof createGroupBodySchema>;

export const updateGroupBodySchema = z.object({
  name: groupName.optional(),
  description: z.string().max(1024).optional(),
  maxDevNum: z.number().int().min(0).max(1_000_000).optional(),
});
export type UpdateGroupBody = z.infer<typeof updateGroupBodySchema>;

export const moveGroupBodySchema = z.object({
  /** The new parent; null makes the group a root (unbinds it from its parent). */
  parentId: z.string().min(1).max(64).nullable(),
});

export const groupDeleteModes = ['cascade', 'current'] as const;
export type GroupDeleteMode = (typeof groupDeleteModes)[number];

export const groupMembersBodySchema = z.object({ deviceIds: deviceIds.min(1) });

export const groupDevicesQuerySchema = z.object({
  descendants: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const tagSchema = z.object({
  id: z.string(),
  key: z.string(),
  value: z.string().optional(),
  deviceCount: z.number().int(),
  createdAt: z.string(),
});
export type DeviceTag = z.infer<typeof tagSchema>;

export const createTagBodySchema = z.object({
  key: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[^=,]+$/, 'a tag key may not hold = or ,'),
  value: z.string().trim().max(128).optional(),
});

/** What a batch command, configuration update or upgrade task is sent to; resolved when the task starts. */
export const batchTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('devices'), deviceIds: deviceIds.min(1) }),
  z.object({ kind: z.literal('product'), productId: z.string().min(1).max(64) }),
  z.object({ kind: z.literal('group'), groupId: z.string().min(1).max(64), descendants: z.boolean().default(true) }),
  z.object({ kind: z.literal('tag'), tagId: z.string().min(1).max(64) }),
]);
export type BatchTarget = z.input<typeof batchTargetSchema>;

const groupParams = z.object({ groupId: z.string().min(1).max(64) });
const tagParams = z.object({ tagId: z.string().min(1).max(64) });
const appQuery = z.object({ appId: z.string().min(1).max(64).optional() });

export const groupRoutes = {
  groupTree: defineRoute({
    method: 'GET',
    path: '/api/groups',
    tag: 'groups',
    summary: "An application's group tree (the default application's when appId is absent)",
    query: appQuery,
    response: z.object({ appId: z.string(), roots: z.array(groupTreeNodeSchema) }),
  }),
  createGroup: defineRoute({
    method: 'POST',
    path: '/api/groups',
    tag: 'groups',
    summary: 'Create a root group, or a child of parentId; deviceIds are bound to it',
    query: appQuery,
    body: createGroupBodySchema,
    response: groupSchema,
    status: 201,
  }),
  getGroup: defineRoute({
    method: 'GET',
    path: '/api/groups/:groupId',
    tag: 'groups',
    summary: 'One group',
    params: groupParams,
    response: groupSchema,
  }),
  updateGroup: defineRoute({
    method: 'PATCH',
    path: '/api/groups/:groupId',
    tag: 'groups',
    summary: 'Rename a group or change its description or device limit',
    params: groupParams,
    body: updateGroupBodySchema,
    response: groupSchema,
  }),
  moveGroup: defineRoute({
    method: 'POST',
    path: '/api/groups/:groupId/move',
    tag: 'groups',
    summary: 'Move a group under another parent, or make it a root (parentId null)',
    params: groupParams,
    body: moveGroupBodySchema,
    response: groupSchema,
  }),
  deleteGroup: defineRoute({
    method: 'DELETE',
    path: '/api/groups/:groupId',
    tag: 'groups',
    summary:
      'Delete a group: mode cascade deletes its descendants too, mode current makes its children roots; its devices become ungrouped',
    params: groupParams,
    query: z.object({ mode: z.enum(groupDeleteModes) }),
    response: z.object({ deletedGroupIds: z.array(z.string()), ungroupedDevices: z.number().int() }),
  }),
  groupDevices: defineRoute({
    method: 'GET',
    path: '/api/groups/:groupId/devices',
    tag: 'groups',
    summary: "A group's device ids, with or without its descendants' devices",
    params: groupParams,
    query: groupDevicesQuerySchema,
    response: z.object({ total: z.number().int(), deviceIds: z.array(z.string()) }),
  }),
  bindGroupDevices: defineRoute({
    method: 'POST',
    path: '/api/groups/:groupId/devices',
    tag: 'groups',
    summary: 'Bind devices to a group (a device in another group moves: a device is in one group at most)',
    params: groupParams,
    body: groupMembersBodySchema,
    response: z.object({ groupId: z.string(), deviceIds: z.array(z.string()), moved: z.number().int() }),
  }),
  unbindGroupDevices: defineRoute({
    method: 'POST',
    path: '/api/groups/:groupId/devices::unbind',
    tag: 'groups',
    summary: 'Unbind devices from a group (they become ungrouped)',
    params: groupParams,
    body: groupMembersBodySchema,
    response: z.object({ groupId: z.string(), unbound: z.number().int() }),
  }),
  exportGroups: defineRoute({
    method: 'GET',
    path: '/api/groups::export',
    tag: 'groups',
    summary: "Export an application's group tree as JSON (nested) or CSV (one line per group with its path)",
    query: appQuery.extend({ format: z.enum(['json', 'csv']).default('json') }),
    response: binaryDownloadSchema,
  }),
  resolveBatchTarget: defineRoute({
    method: 'POST',
    path: '/api/groups::resolve-target',
    tag: 'groups',
    summary: 'The devices a batch target names now (a preview of what a batch task would reach)',
    query: appQuery,
    body: batchTargetSchema,
    response: z.object({ total: z.number().int(), deviceIds: z.array(z.string()) }),
  }),
};

export const tagRoutes = {
  listTags: defineRoute({
    method: 'GET',
    path: '/api/tags',
    tag: 'groups',
    summary: 'Every defined tag with the number of devices that carry it',
    response: z.object({ tags: z.array(tagSchema) }),
  }),
  createTag: defineRoute({
    method: 'POST',
    path: '/api/tags',
    tag: 'groups',
    summary: 'Define a tag (key and optional value)',
    body: createTagBodySchema,
    response: tagSchema,
    status: 201,
  }),
  deleteTag: defineRoute({
    method: 'DELETE',
    path: '/api/tags/:tagId',
    tag: 'groups',
    summary: 'Delete a tag; it is detached from every device',
    params: tagParams,
    response: z.object({ deleted: z.literal(true), detached: z.number().int() }),
  }),
  attachTag: defineRoute({
    method: 'POST',
    path: '/api/tags/:tagId/devices',
    tag: 'groups',
    summary: 'Attach a tag to devices',
    params: tagParams,
    body: groupMembersBodySchema,
    response: z.object({ tagId: z.string(), attached: z.number().int() }),
  }),
  detachTag: defineRoute({
    method: 'POST',
    path: '/api/tags/:tagId/devices::detach',
    tag: 'groups',
    summary: 'Detach a tag from devices',
    params: tagParams,
    body: groupMembersBodySchema,
    response: z.object({ tagId: z.string(), detached: z.number().int() }),
  }),
};
