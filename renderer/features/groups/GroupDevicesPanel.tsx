// The selected group: what it is, and its devices with bind (add), unbind, move and tag. Rows can be dragged onto a
// group in the tree; the "Move to" menu does the same from the keyboard.
import { Button, Card, Checkbox, Group, Menu, Modal, Select, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconGripVertical, IconPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiRoutes, type Device, type GroupTreeNode } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { DeviceStatusBadge } from '../devices/DeviceStatusBadge.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { DEVICES_DRAG_TYPE } from './GroupTreeView.js';
import { flattenTree, groupLabel, totalDevices } from './groupTree.js';
import { useBindDevices, useGroupDevices, useTagDevices, useTags, useUnbindDevices } from './groupQueries.js';

function AddDevicesModal({ group, onClose }: { group: GroupTreeNode; onClose: () => void }) {
  const { t } = useTranslation();
  const { callApi } = useApi();
  const bind = useBindDevices();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 200);
  const [picked, setPicked] = useState<string[]>([]);
  const found = useQuery({
    queryKey: ['groups', 'device-search', debounced],
    queryFn: () =>
      callApi(apiRoutes.listDevices, { query: { limit: 50, ...(debounced ? { search: debounced } : {}) } }),
  });
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  return (
    <Modal opened onClose={onClose} title={t('groups.add.title', { name: group.name })} size="lg">
      <Stack>
        <Select
          label={t('groups.add.search')}
          description={t('groups.add.searchHint')}
          searchable
          searchValue={search}
          onSearchChange={setSearch}
          data={(found.data?.items ?? []).map((d) => ({
            value: d.deviceId,
            label: `${d.name ?? d.nodeId} · ${d.deviceId}`,
          }))}
          value={null}
          onChange={(v) => v && !picked.includes(v) && setPicked([...picked, v])}
          nothingFoundMessage={t('groups.add.none')}
          filter={({ options }) => options}
        />
        {picked.length > 0 && (
          <Stack gap={4}>
            {picked.map((id) => (
              <Checkbox key={id} checked label={id} onChange={() => toggle(id)} />
            ))}
          </Stack>
        )}
        <Text size="xs" c="dimmed">
          {t('groups.add.moves')}
        </Text>
        {bind.error && (
          <Text size="sm" c="red" role="alert">
            {describeApiError(bind.error).message}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('groups.form.cancel')}
          </Button>
          <Button
            disabled={picked.length === 0}
            loading={bind.isPending}
            onClick={() => bind.mutate({ groupId: group.id, deviceIds: picked }, { onSuccess: onClose })}
          >
            {t('groups.add.submit', { count: picked.length })}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function DeviceRow({
  device,
  checked,
  onCheck,
  dragIds,
  groupName,
}: {
  device: Device;
  checked: boolean;
  onCheck: (v: boolean) => void;
  dragIds: () => string[];
  groupName: string | undefined;
}) {
  const { t } = useTranslation();
  return (
    <Table.Tr
      data-testid="group-device-row"
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData(DEVICES_DRAG_TYPE, JSON.stringify(dragIds()));
        e.dataTransfer.effectAllowed = 'move';
      }}
      style={{ cursor: 'grab' }}
    >
      <Table.Td w={28}>
        <IconGripVertical size={14} color="var(--mantine-color-gray-5)" aria-hidden />
      </Table.Td>
      <Table.Td w={32}>
        <Checkbox
          aria-label={t('groups.devices.select', { name: device.name ?? device.nodeId })}
          checked={checked}
          onChange={(e) => onCheck(e.currentTarget.checked)}
        />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{device.name ?? device.nodeId}</Text>
        <Text size="xs" c="dimmed" ff="monospace">
          {device.deviceId}
        </Text>
      </Table.Td>
      <Table.Td>
        <DeviceStatusBadge status={device.status} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{groupName ?? '—'}</Text>
      </Table.Td>
    </Table.Tr>
  );
}

export function GroupDevicesPanel({
  group,
  roots,
  onMoveDevices,
}: {
  group: GroupTreeNode;
  roots: GroupTreeNode[];
  onMoveDevices: (deviceIds: string[], groupId: string) => void;
}) {
  const { t } = useTranslation();
  const [descendants, setDescendants] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const [adding, setAdding] = useState(false);
  const devices = useGroupDevices(group.id, descendants);
  const unbind = useUnbindDevices();
  const tag = useTagDevices();
  const tags = useTags();
  const flat = flattenTree(roots);
  const nameOf = (id: string | undefined) => flat.find((g) => g.node.id === id)?.node.name;
  const items = devices.data?.items ?? [];
  const allChecked = items.length > 0 && items.every((d) => selected.includes(d.deviceId));
  const ownSelected = items.filter((d) => selected.includes(d.deviceId) && d.groupId === group.id);
  const error = unbind.error ?? tag.error;
  return (
    <Card withBorder padding="md">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Group gap="xs">
              <Title order={3} size="h4">
                {groupLabel(group, t)}
              </Title>
            </Group>
            {group.description && (
              <Text size="sm" c="dimmed">
                {group.description}
              </Text>
            )}
            <Text size="xs" c="dimmed">
              {group.maxDevNum > 0
                ? t('groups.devices.countLimited', { count: group.curDevNum, max: group.maxDevNum })
                : t('groups.devices.count', { count: group.curDevNum })}
              {totalDevices(group) !== group.curDevNum &&
                ` · ${t('groups.devices.withSubgroups', { count: totalDevices(group) })}`}
            </Text>
          </Stack>
          <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setAdding(true)}>
            {t('groups.devices.add')}
          </Button>
        </Group>
        <Group justify="space-between">
          <Switch
            size="sm"
            label={t('groups.devices.descendants')}
            checked={descendants}
            onChange={(e) => setDescendants(e.currentTarget.checked)}
            disabled={group.children.length === 0}
          />
          <Group gap="xs">
            <Text size="xs" c="dimmed">
              {t('groups.devices.selected', { count: selected.length })}
            </Text>
            <Button
              size="xs"
              variant="default"
              disabled={ownSelected.length === 0}
              loading={unbind.isPending}
              onClick={() =>
                unbind.mutate(
                  { groupId: group.id, deviceIds: ownSelected.map((d) => d.deviceId) },
                  { onSuccess: () => setSelected([]) },
                )
              }
            >
              {t('groups.devices.unbind')}
            </Button>
            <Menu withinPortal>
              <Menu.Target>
                <Button size="xs" variant="default" disabled={selected.length === 0}>
                  {t('groups.devices.moveTo')}
                </Button>
              </Menu.Target>
              <Menu.Dropdown mah={320} style={{ overflowY: 'auto' }}>
                {flat
                  .filter((g) => g.node.id !== group.id)
                  .map((g) => (
                    <Menu.Item
                      key={g.node.id}
                      onClick={() => {
                        onMoveDevices(selected, g.node.id);
                        setSelected([]);
                      }}
                    >
                      {g.path.join(' / ')}
                    </Menu.Item>
                  ))}
              </Menu.Dropdown>
            </Menu>
            <Select
              size="xs"
              w={180}
              placeholder={t('groups.devices.tag')}
              aria-label={t('groups.devices.tag')}
              disabled={selected.length === 0 || !tags.data?.tags.length}
              data={(tags.data?.tags ?? []).map((tg) => ({
                value: tg.id,
                label: tg.value ? `${tg.key}=${tg.value}` : tg.key,
              }))}
              value={null}
              onChange={(tagId) => tagId && tag.mutate({ tagId, deviceIds: selected })}
            />
          </Group>
        </Group>
        {error && (
          <Text size="sm" c="red" role="alert">
            {describeApiError(error).message}
          </Text>
        )}
        {devices.isLoading ? (
          <LoadingState />
        ) : devices.error ? (
          <ErrorState error={devices.error} onRetry={() => void devices.refetch()} />
        ) : items.length === 0 ? (
          <Text size="sm" c="dimmed" py="md" ta="center">
            {t('groups.devices.empty')}
          </Text>
        ) : (
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th />
                <Table.Th>
                  <Checkbox
                    aria-label={t('groups.devices.selectAll')}
                    checked={allChecked}
                    indeterminate={!allChecked && selected.length > 0}
                    onChange={(e) => setSelected(e.currentTarget.checked ? items.map((d) => d.deviceId) : [])}
                  />
                </Table.Th>
                <Table.Th>{t('groups.devices.device')}</Table.Th>
                <Table.Th>{t('groups.devices.status')}</Table.Th>
                <Table.Th>{t('groups.devices.group')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((d) => (
                <DeviceRow
                  key={d.deviceId}
                  device={d}
                  checked={selected.includes(d.deviceId)}
                  onCheck={(v) => setSelected((s) => (v ? [...s, d.deviceId] : s.filter((x) => x !== d.deviceId)))}
                  dragIds={() => (selected.includes(d.deviceId) ? selected : [d.deviceId])}
                  groupName={nameOf(d.groupId)}
                />
              ))}
            </Table.Tbody>
          </Table>
        )}
        {devices.data && devices.data.total > items.length && (
          <Text size="xs" c="dimmed">
            {t('groups.devices.more', { shown: items.length, total: devices.data.total })}
          </Text>
        )}
      </Stack>
      {adding && <AddDevicesModal group={group} onClose={() => setAdding(false)} />}
    </Card>
  );
}
