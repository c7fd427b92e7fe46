// The Groups page: the default application's group tree beside the selected group's devices, and the tags.
import { Button, Card, Grid, Menu, Stack, Tabs, Text } from '@mantine/core';
import { IconDownload, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GroupTreeNode } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { PageHeader } from '../../ui/PageHeader.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { DeleteGroupModal, GroupFormModal, MoveGroupModal } from './GroupDialogs.js';
import { GroupDevicesPanel } from './GroupDevicesPanel.js';
import { GroupTreeView } from './GroupTreeView.js';
import { findGroup } from './groupTree.js';
import { useBindDevices, useExportGroups, useGroupTree, useMoveGroup } from './groupQueries.js';
import { TagsPanel } from './TagsPanel.js';

type Dialog =
  | { kind: 'create'; parent?: GroupTreeNode }
  | { kind: 'edit'; group: GroupTreeNode }
  | { kind: 'move'; group: GroupTreeNode }
  | { kind: 'delete'; group: GroupTreeNode };

export function GroupsPage() {
  const { t } = useTranslation();
  const tree = useGroupTree();
  const move = useMoveGroup();
  const bind = useBindDevices();
  const exportGroups = useExportGroups();
  const [selectedId, setSelectedId] = useState<string>();
  const [dialog, setDialog] = useState<Dialog>();
  const roots = tree.data?.roots ?? [];
  const selected = (selectedId ? findGroup(roots, selectedId) : undefined)?.node ?? roots[0];
  const moveDevices = (deviceIds: string[], groupId: string) => bind.mutate({ groupId, deviceIds });
  const actionError = move.error ?? bind.error ?? exportGroups.error;

  return (
    <Stack>
      <PageHeader
        title={t('groups.title')}
        description={t('groups.description')}
        actions={
          <>
            <Menu withinPortal>
              <Menu.Target>
                <Button variant="default" leftSection={<IconDownload size={14} />}>
                  {t('groups.export')}
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => exportGroups.mutate('json')}>{t('groups.exportJson')}</Menu.Item>
                <Menu.Item onClick={() => exportGroups.mutate('csv')}>{t('groups.exportCsv')}</Menu.Item>
              </Menu.Dropdown>
            </Menu>
            <Button leftSection={<IconPlus size={14} />} onClick={() => setDialog({ kind: 'create' })}>
              {t('groups.newRoot')}
            </Button>
          </>
        }
      />
      <Tabs defaultValue="groups" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="groups">{t('groups.tabs.groups')}</Tabs.Tab>
          <Tabs.Tab value="tags">{t('groups.tabs.tags')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="groups">
          {tree.isLoading ? (
            <LoadingState />
          ) : tree.error ? (
            <ErrorState error={tree.error} onRetry={() => void tree.refetch()} />
          ) : (
            <Grid>
              <Grid.Col span={{ base: 12, md: 4 }}>
                <Card withBorder padding="sm">
                  <Stack gap="xs">
                    <Text size="xs" c="dimmed">
                      {t('groups.tree.hint')}
                    </Text>
                    <GroupTreeView
                      roots={roots}
                      selectedId={selected?.id}
                      actions={{
                        onSelect: (g) => setSelectedId(g.id),
                        onMoveGroup: (groupId, parentId) => move.mutate({ groupId, parentId }),
                        onMoveDevices: moveDevices,
                        onAddChild: (g) => setDialog({ kind: 'create', parent: g }),
                        onRename: (g) => setDialog({ kind: 'edit', group: g }),
                        onMoveMenu: (g) => setDialog({ kind: 'move', group: g }),
                        onDelete: (g) => setDialog({ kind: 'delete', group: g }),
                      }}
                    />
                    {actionError && (
                      <Text size="sm" c="red" role="alert">
                        {describeApiError(actionError).message}
                      </Text>
                    )}
                  </Stack>
                </Card>
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 8 }}>
                {selected && <GroupDevicesPanel group={selected} roots={roots} onMoveDevices={moveDevices} />}
              </Grid.Col>
            </Grid>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="tags">
          <TagsPanel />
        </Tabs.Panel>
      </Tabs>
      {(dialog?.kind === 'create' || dialog?.kind === 'edit') && (
        <GroupFormModal
          opened
          onClose={() => setDialog(undefined)}
          {...(dialog.kind === 'create' && dialog.parent ? { parent: dialog.parent } : {})}
          {...(dialog.kind === 'edit' ? { editing: dialog.group } : {})}
          onSaved={setSelectedId}
        />
      )}
      {dialog?.kind === 'move' && (
        <MoveGroupModal roots={roots} moving={dialog.group} onClose={() => setDialog(undefined)} />
      )}
      {dialog?.kind === 'delete' && (
        <DeleteGroupModal
          group={dialog.group}
          onClose={() => setDialog(undefined)}
          onDeleted={() => {
            setDialog(undefined);
            setSelectedId(undefined);
          }}
        />
      )}
    </Stack>
  );
}
