// Device groups (R-11.1): a tree per application with a default group, one group per device, device limits, and the
// rule that an application only groups devices it holds (R-1.3: an edit grant does not let it group another's).
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type {
  BatchTarget,
  CreateGroupBody,
  DeviceGroup,
  GroupDeleteMode,
  GroupTreeNode,
  UpdateGroupBody,
} from '../contract/groups.js';
import { unknownDevices } from '../devices/index.js';
import { DomainError } from '../domain-error.js';
import type { GroupRow, GroupStore } from './group-store.js';

/** What groups need of the devices capability (membership is a column of the devices table, owned there). */
export interface GroupMembership {
  assignGroup(deviceIds: readonly string[], groupId: string | null): number;
  ungroup(groupIds: readonly string[]): number;
  /** Device counts per group (of these groups only, when given). */
  groupCounts(groupIds?: readonly string[]): Map<string, number>;
  idsInGroups(groupIds: readonly string[], offset: number, limit: number): { total: number; deviceIds: string[] };
  missing(deviceIds: readonly string[]): string[];
  idsWhere(filter: { productId: string } | { tagId: string }): string[];
  groupOf(deviceId: string): string | undefined;
}

export interface GroupApps {
  defaultAppId(): string;
  /** The application that holds the device. */
  ownerOfDevice(deviceId: string): string;
}

export const DEFAULT_GROUP_NAME = 'Default';
const MAX_DEPTH = 16;

const iso = (ms: number) => new Date(ms).toISOString();

export class GroupService {
  constructor(
    private readonly store: GroupStore,
    private readonly clock: Clock,
    private readonly devices: GroupMembership,
    private readonly apps: GroupApps,
  ) {}

  appOrDefault(appId: string | undefined): string {
    return appId ?? this.apps.defaultAppId();
  }

  /** The application's default group, made on first use. */
  ensureDefault(appId: string): DeviceGroup {
    const existing = this.store.defaultOf(appId);
    if (existing) return this.view(existing, this.devices.groupCounts([existing.id]));
    const now = this.clock.now();
    const row: GroupRow = {
      id: randomUUID(),
      app_id: appId,
      name: this.store.byName(appId, DEFAULT_GROUP_NAME) ? `${DEFAULT_GROUP_NAME} (${appId})` : DEFAULT_GROUP_NAME,
      description: null,
      parent_id: null,
      max_dev_num: 0,
      is_default: 1,
      creator: appId,
      created_at: now,
      updated_at: now,
    };
    this.store.insert(row);
    return this.view(row, new Map());
  }

  tree(appId: string): GroupTreeNode[] {
    this.ensureDefault(appId);
    const counts = this.devices.groupCounts();
    const nodes = new Map<string, GroupTreeNode>();
    const rows = this.store.ofApp(appId);
    for (const r of rows) nodes.set(r.id, { ...this.view(r, counts), children: [] });
    const roots: GroupTreeNode[] = [];
    for (const r of rows) {
      const node = nodes.get(r.id)!;
      const parent = r.parent_id === null ? undefined : nodes.get(r.parent_id);
      (parent ? parent.children : roots).push(node);
    }
    return roots;
  }

  list(appId: string, name?: string): DeviceGroup[] {
    this.ensureDefault(appId);
    const counts = this.devices.groupCounts();
    return this.store.ofApp(appId, name).map((r) => this.view(r, counts));
  }

  get(groupId: string, appId?: string): DeviceGroup {
    return this.view(this.require(groupId, appId), this.devices.groupCounts([groupId]));
  }

  create(appId: string, body: CreateGroupBody, creator = appId): DeviceGroup {
    return this.store.transaction(() => {
      this.ensureDefault(appId);
      this.assertNameFree(appId, body.name);
      if (body.parentId !== undefined) {
        this.require(body.parentId, appId, 'body.parentId');
        if (this.store.ancestry(body.parentId).length >= MAX_DEPTH)
          throw new DomainError('GROUP_TOO_DEEP', `groups nest at most ${MAX_DEPTH} levels deep`, 'body.parentId');
      }
      const now = this.clock.now();
      const row: GroupRow = {
        id: randomUUID(),
        app_id: appId,
        name: body.name,
        description: body.description ?? null,
        parent_id: body.parentId ?? null,
        max_dev_num: body.maxDevNum ?? 0,
        is_default: 0,
        creator,
        created_at: now,
        updated_at: now,
      };
      if (row.max_dev_num > 0 && (body.deviceIds?.length ?? 0) > row.max_dev_num)
        throw new DomainError(
          'GROUP_TOO_MANY_DEVICES',
          `${body.deviceIds!.length} devices do not fit a group of at most ${row.max_dev_num}`,
          'body.deviceIds',
        );
      this.store.insert(row);
      if (body.deviceIds?.length) this.bind(row.id, body.deviceIds, appId);
      return this.get(row.id);
    });
  }

  update(groupId: string, changes: UpdateGroupBody, appId?: string): DeviceGroup {
    return this.store.transaction(() => {
      const row = this.require(groupId, appId);
      if (changes.name !== undefined && changes.name !== row.name) this.assertNameFree(row.app_id, changes.name);
      const maxDevNum = changes.maxDevNum ?? row.max_dev_num;
      const current = this.devices.groupCounts([groupId]).get(groupId) ?? 0;
      if (maxDevNum > 0 && current > maxDevNum)
        throw new DomainError(
          'GROUP_FULL',
          `the group holds ${current} devices; its limit cannot go below that (asked ${maxDevNum})`,
          'body.maxDevNum',
        );
      this.store.update(
        groupId,
        {
          name: changes.name ?? row.name,
          description: changes.description ?? row.description,
          max_dev_num: maxDevNum,
          parent_id: row.parent_id,
        },
        this.clock.now(),
      );
      return this.get(groupId);
    });
  }

  /** Moves a group under `parentId`, or makes it a root (null). Never under itself or its own descendant. */
  move(groupId: string, parentId: string | null, appId?: string): DeviceGroup {
    return this.store.transaction(() => {
      const row = this.require(groupId, appId);
      if (parentId !== null) {
        const parent = this.require(parentId, row.app_id, 'body.parentId');
        const ancestry = this.store.ancestry(parent.id);
        if (ancestry.includes(groupId))
          throw new DomainError(
            'GROUP_CYCLE',
            parent.id === groupId
              ? `the group ${row.name} cannot be its own parent`
              : `the group ${row.name} cannot move under ${parent.name}, which is inside it`,
            'body.parentId',
          );
        const height = this.store.height(groupId);
        if (ancestry.length + height > MAX_DEPTH)
          throw new DomainError('GROUP_TOO_DEEP', `groups nest at most ${MAX_DEPTH} levels deep`, 'body.parentId');
      }
      this.store.update(
        groupId,
        { name: row.name, description: row.description, max_dev_num: row.max_dev_num, parent_id: parentId },
        this.clock.now(),
      );
      return this.get(groupId);
    });
  }

  /** `cascade` deletes the descendants too; `current` makes the children roots. Devices become ungrouped. */
  delete(
    groupId: string,
    mode: GroupDeleteMode,
    appId?: string,
  ): { deletedGroupIds: string[]; ungroupedDevices: number } {
    return this.store.transaction(() => {
      const row = this.require(groupId, appId);
      const ids = mode === 'cascade' ? this.store.subtree(groupId) : [groupId];
      const protectedRow = ids.map((id) => this.store.get(id)).find((r) => r?.is_default === 1);
      if (protectedRow)
        throw new DomainError(
          'GROUP_DEFAULT_PROTECTED',
          protectedRow.id === groupId
            ? `the default group ${row.name} cannot be deleted`
            : `the default group ${protectedRow.name} is inside ${row.name}: move it out first or delete the current group only`,
          'params.groupId',
        );
      if (mode === 'current') this.store.reparentChildren(groupId, null, this.clock.now());
      const ungroupedDevices = this.devices.ungroup(ids);
      this.store.deleteMany(ids);
      return { deletedGroupIds: ids, ungroupedDevices };
    });
  }

  /** Device ids of the group (and its descendants when asked), by registration order. */
  members(
    groupId: string,
    options: { descendants: boolean; offset: number; limit: number },
    appId?: string,
  ): { total: number; deviceIds: string[] } {
    this.require(groupId, appId);
    return this.devices.idsInGroups(this.scope(groupId, options.descendants), options.offset, options.limit);
  }

  /** The group's id, with its descendants' when asked: the filter a device list or batch target uses. */
  scope(groupId: string, descendants: boolean): string[] {
    this.require(groupId, undefined, 'query.groupId');
    return descendants ? this.store.subtree(groupId) : [groupId];
  }

  /** Binds devices to the group; a device in another group of the application moves. Returns how many moved. */
  bind(groupId: string, deviceIds: readonly string[], appId?: string): { moved: number } {
    return this.store.transaction(() => {
      const row = this.require(groupId, appId);
      const unique = [...new Set(deviceIds)];
      const missing = this.devices.missing(unique);
      if (missing.length) throw unknownDevices(missing);
      const foreign = unique.filter((id) => this.apps.ownerOfDevice(id) !== row.app_id);
      if (foreign.length)
        throw new DomainError(
          'GROUP_DEVICE_NOT_HELD',
          `the application ${row.app_id} does not hold ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ` (and ${foreign.length - 3} more)` : ''}: a group takes only its own application's devices, even with an edit grant`,
          'body.deviceIds',
        );
      if (row.max_dev_num > 0) {
        const current = this.devices.groupCounts([groupId]).get(groupId) ?? 0;
        const joining = unique.filter((id) => this.devices.groupOf(id) !== groupId).length;
        if (current + joining > row.max_dev_num)
          throw new DomainError(
            'GROUP_FULL',
            `the group ${row.name} holds ${current} of at most ${row.max_dev_num} devices; ${joining} more do not fit`,
            'body.deviceIds',
          );
      }
      return { moved: this.devices.assignGroup(unique, groupId) };
    });
  }

  unbind(groupId: string, deviceIds: readonly string[], appId?: string): number {
    return this.store.transaction(() => {
      this.require(groupId, appId);
      const inGroup = [...new Set(deviceIds)].filter((id) => this.devices.groupOf(id) === groupId);
      this.devices.assignGroup(inGroup, null);
      return inGroup.length;
    });
  }

  /** The devices a batch target names now, by registration order. */
  resolveTarget(target: BatchTarget, appId: string): string[] {
    switch (target.kind) {
      case 'devices': {
        const unique = [...new Set(target.deviceIds)];
        const missing = this.devices.missing(unique);
        if (missing.length) throw unknownDevices(missing, 'body.deviceIds');
        return unique;
      }
      case 'product':
        return this.devices.idsWhere({ productId: target.productId });
      case 'tag':
        return this.devices.idsWhere({ tagId: target.tagId });
      case 'group': {
        this.require(target.groupId, appId, 'body.groupId');
        const scope = this.scope(target.groupId, target.descendants ?? true);
        return this.devices.idsInGroups(scope, 0, Number.MAX_SAFE_INTEGER).deviceIds;
      }
    }
  }

  exportJson(appId: string): string {
    return `${JSON.stringify({ appId, exportedAt: iso(this.clock.now()), groups: this.tree(appId) }, null, 2)}\n`;
  }

  /** One line per group, parents before children, with the path of names from the root. */
  exportCsv(appId: string): string[][] {
    const lines: string[][] = [
      ['id', 'name', 'parentId', 'path', 'depth', 'curDevNum', 'maxDevNum', 'description', 'isDefault'],
    ];
    const walk = (nodes: GroupTreeNode[], path: string[]) => {
      for (const n of nodes) {
        const here = [...path, n.name];
        lines.push([
          n.id,
          n.name,
          n.parentId ?? '',
          here.join(' / '),
          String(here.length - 1),
          String(n.curDevNum),
          String(n.maxDevNum),
          n.description ?? '',
          String(n.isDefault),
        ]);
        walk(n.children, here);
      }
    };
    walk(this.tree(appId), []);
    return lines;
  }

  private assertNameFree(appId: string, name: string): void {
    if (this.store.byName(appId, name))
      throw new DomainError(
        'GROUP_NAME_TAKEN',
        `the application ${appId} already has a group named ${name}`,
        'body.name',
      );
  }

  /** The group above, on the uplink path (no device counts); undefined for a root or an unknown group. */
  parentOf(groupId: string): string | undefined {
    return this.store.parentOf(groupId);
  }

  private require(groupId: string, appId?: string, path = 'params.groupId'): GroupRow {
    const row = this.store.get(groupId);
    if (!row || (appId !== undefined && row.app_id !== appId))
      throw new DomainError(
        'GROUP_NOT_FOUND',
        `${appId === undefined ? 'no group' : `the application ${appId} has no group`} with the id ${groupId}`,
        path,
      );
    return row;
  }

  private view(r: GroupRow, counts: Map<string, number>): DeviceGroup {
    return {
      id: r.id,
      appId: r.app_id,
      name: r.name,
      ...(r.description === null ? {} : { description: r.description }),
      ...(r.parent_id === null ? {} : { parentId: r.parent_id }),
      maxDevNum: r.max_dev_num,
      curDevNum: counts.get(r.id) ?? 0,
      isDefault: r.is_default === 1,
      creator: r.creator,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
    };
  }
}
