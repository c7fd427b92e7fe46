// Queries and mutations of the groups area: the default application's group tree, a group's devices, and tags.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRoutes, fillPath, type CreateGroupBody, type GroupDeleteMode } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { downloadFromApi } from '../../api/download.js';

export const groupKeys = {
  all: ['groups'] as const,
  tree: ['groups', 'tree'] as const,
  devices: (groupId: string, descendants: boolean) => ['groups', 'devices', groupId, descendants] as const,
  tags: ['groups', 'tags'] as const,
};

export function useGroupTree() {
  const { callApi } = useApi();
  return useQuery({ queryKey: groupKeys.tree, queryFn: () => callApi(apiRoutes.groupTree) });
}

export function useGroupDevices(groupId: string | undefined, descendants: boolean) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: groupKeys.devices(groupId ?? '', descendants),
    enabled: groupId !== undefined,
    queryFn: () =>
      callApi(apiRoutes.listDevices, {
        query: { groupId: groupId!, descendants: descendants ? 'true' : 'false', limit: 500 },
      }),
  });
}

export function useTags() {
  const { callApi } = useApi();
  return useQuery({ queryKey: groupKeys.tags, queryFn: () => callApi(apiRoutes.listTags) });
}

/** Every change here can move counts anywhere in the tree and the device lists: refresh groups and devices. */
function useGroupMutation<T, R>(fn: (input: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: fn,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: groupKeys.all });
      void client.invalidateQueries({ queryKey: ['devices'] });
    },
  });
}

export function useCreateGroup() {
  const { callApi } = useApi();
  return useGroupMutation((body: CreateGroupBody) => callApi(apiRoutes.createGroup, { body }));
}

export function useRenameGroup() {
  const { callApi } = useApi();
  return useGroupMutation((input: { groupId: string; name: string; description?: string; maxDevNum?: number }) =>
    callApi(apiRoutes.updateGroup, {
      params: { groupId: input.groupId },
      body: {
        name: input.name,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.maxDevNum !== undefined ? { maxDevNum: input.maxDevNum } : {}),
      },
    }),
  );
}

export function useMoveGroup() {
  const { callApi } = useApi();
  return useGroupMutation((input: { groupId: string; parentId: string | null }) =>
    callApi(apiRoutes.moveGroup, { params: { groupId: input.groupId }, body: { parentId: input.parentId } }),
  );
}

export function useDeleteGroup() {
  const { callApi } = useApi();
  return useGroupMutation((input: { groupId: string; mode: GroupDeleteMode }) =>
    callApi(apiRoutes.deleteGroup, { params: { groupId: input.groupId }, query: { mode: input.mode } }),
  );
}

export function useBindDevices() {
  const { callApi } = useApi();
  return useGroupMutation((input: { groupId: string; deviceIds: string[] }) =>
    callApi(apiRoutes.bindGroupDevices, { params: { groupId: input.groupId }, body: { deviceIds: input.deviceIds } }),
  );
}

export function useUnbindDevices() {
  const { callApi } = useApi();
  return useGroupMutation((input: { groupId: string; deviceIds: string[] }) =>
    callApi(apiRoutes.unbindGroupDevices, {
      params: { groupId: input.groupId },
      body: { deviceIds: input.deviceIds },
    }),
  );
}

export function useCreateTag() {
  const { callApi } = useApi();
  return useGroupMutation((input: { key: string; value?: string }) =>
    callApi(apiRoutes.createTag, { body: input.value ? { key: input.key, value: input.value } : { key: input.key } }),
  );
}

export function useDeleteTag() {
  const { callApi } = useApi();
  return useGroupMutation((tagId: string) => callApi(apiRoutes.deleteTag, { params: { tagId } }));
}

export function useTagDevices() {
  const { callApi } = useApi();
  return useGroupMutation((input: { tagId: string; deviceIds: string[]; detach?: boolean }) =>
    callApi(input.detach ? apiRoutes.detachTag : apiRoutes.attachTag, {
      params: { tagId: input.tagId },
      body: { deviceIds: input.deviceIds },
    }),
  );
}

export function useExportGroups() {
  const { connection } = useApi();
  return useMutation({
    mutationFn: (format: 'json' | 'csv') => {
      const url = `${connection.apiUrl.replace(/\/+$/, '')}${fillPath(apiRoutes.exportGroups.path, {})}?format=${format}`;
      return downloadFromApi(connection, url, `groups.${format}`);
    },
  });
}
