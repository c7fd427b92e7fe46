// The group tree: select a group, drag a group onto another (or onto "top level") to move it, drop devices dragged
// from the device table onto a group to move them there. Every drag has a menu equivalent for keyboard users.
import { ActionIcon, Badge, Box, Group, Menu, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconChevronDown, IconChevronRight, IconDots, IconFolder, IconStarFilled } from '@tabler/icons-react';
import { useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { GroupTreeNode } from '../../../core/contract/index.js';
import { findGroup, groupLabel, subtreeIds, totalDevices } from './groupTree.js';

export const GROUP_DRAG_TYPE = 'application/x-iotwb-group';
export const DEVICES_DRAG_TYPE = 'application/x-iotwb-devices';

export interface GroupTreeActions {
  onSelect(group: GroupTreeNode): void;
  onMoveGroup(groupId: string, parentId: string | null): void;
  onMoveDevices(deviceIds: string[], groupId: string): void;
  onAddChild(group: GroupTreeNode): void;
  onRename(group: GroupTreeNode): void;
  onMoveMenu(group: GroupTreeNode): void;
  onDelete(group: GroupTreeNode): void;
}

interface DragState {
  groupId?: string;
  over?: string;
}

function readDrop(event: DragEvent): { groupId?: string; deviceIds?: string[] } {
  const group = event.dataTransfer.getData(GROUP_DRAG_TYPE);
  if (group) return { groupId: group };
  const devices = event.dataTransfer.getData(DEVICES_DRAG_TYPE);
  if (devices) {
    const parsed: unknown = JSON.parse(devices);
    if (Array.isArray(parsed)) return { deviceIds: parsed.filter((d): d is string => typeof d === 'string') };
  }
  return {};
}

function TreeRow({
  node,
  depth,
  selectedId,
  drag,
  setDrag,
  forbidden,
  actions,
}: {
  node: GroupTreeNode;
  depth: number;
  selectedId: string | undefined;
  drag: DragState;
  setDrag: (d: DragState) => void;
  forbidden: Set<string>;
  actions: GroupTreeActions;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(true);
  const selected = node.id === selectedId;
  const canDrop = !forbidden.has(node.id);
  const over = drag.over === node.id && canDrop;
  const total = totalDevices(node);
  return (
    <>
      <Group
        gap={4}
        wrap="nowrap"
        pl={depth * 18}
        pr={4}
        py={2}
        data-testid="group-row"
        data-group-name={node.name}
        draggable={!node.isDefault}
        onDragStart={(e) => {
          e.dataTransfer.setData(GROUP_DRAG_TYPE, node.id);
          e.dataTransfer.effectAllowed = 'move';
          setDrag({ groupId: node.id });
        }}
        onDragEnd={() => setDrag({})}
        onDragOver={(e) => {
          if (!canDrop) return;
          e.preventDefault();
          if (drag.over !== node.id) setDrag({ ...drag, over: node.id });
        }}
        onDragLeave={() => drag.over === node.id && setDrag({ ...drag, over: undefined })}
        onDrop={(e) => {
          e.preventDefault();
          setDrag({});
          const dropped = readDrop(e);
          if (dropped.groupId && dropped.groupId !== node.id) actions.onMoveGroup(dropped.groupId, node.id);
          if (dropped.deviceIds?.length) actions.onMoveDevices(dropped.deviceIds, node.id);
        }}
        style={{
          borderRadius: 6,
          background: over
            ? 'var(--mantine-color-blue-light-hover)'
            : selected
              ? 'var(--mantine-color-blue-light)'
              : undefined,
          outline: over ? '1px dashed var(--mantine-color-blue-filled)' : undefined,
        }}
      >
        <ActionIcon
          size="sm"
          variant="subtle"
          color="gray"
          aria-label={t(open ? 'groups.tree.collapse' : 'groups.tree.expand', { name: node.name })}
          style={{ visibility: node.children.length ? 'visible' : 'hidden' }}
          onClick={() => setOpen(!open)}
        >
          {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
        </ActionIcon>
        <UnstyledButton
          onClick={() => actions.onSelect(node)}
          aria-current={selected ? 'true' : undefined}
          style={{ flex: 1, minWidth: 0 }}
        >
          <Group gap={6} wrap="nowrap">
            {node.isDefault ? (
              <IconStarFilled size={14} color="var(--mantine-color-yellow-6)" />
            ) : (
              <IconFolder size={14} />
            )}
            <Text size="sm" truncate fw={selected ? 600 : undefined}>
              {groupLabel(node, t)}
            </Text>
          </Group>
        </UnstyledButton>
        <Badge
          size="sm"
          variant="light"
          color={node.maxDevNum > 0 && node.curDevNum >= node.maxDevNum ? 'orange' : 'gray'}
          title={t('groups.tree.countTitle', { own: node.curDevNum, total })}
        >
          {node.maxDevNum > 0 ? `${node.curDevNum}/${node.maxDevNum}` : node.curDevNum}
          {total !== node.curDevNum ? ` (${total})` : ''}
        </Badge>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <ActionIcon size="sm" variant="subtle" color="gray" aria-label={t('groups.tree.menu', { name: node.name })}>
              <IconDots size={14} />
            </ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item onClick={() => actions.onAddChild(node)}>{t('groups.actions.addChild')}</Menu.Item>
            <Menu.Item onClick={() => actions.onRename(node)}>{t('groups.actions.edit')}</Menu.Item>
            <Menu.Item disabled={node.isDefault} onClick={() => actions.onMoveMenu(node)}>
              {t('groups.actions.move')}
            </Menu.Item>
            {node.parentId && (
              <Menu.Item onClick={() => actions.onMoveGroup(node.id, null)}>{t('groups.actions.toTop')}</Menu.Item>
            )}
            <Menu.Divider />
            <Menu.Item color="red" disabled={node.isDefault} onClick={() => actions.onDelete(node)}>
              {t('groups.actions.delete')}
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Group>
      {open &&
        node.children.map((child) => (
          <TreeRow
            key={child.id}
            node={child}
            depth={depth + 1}
            selectedId={selectedId}
            drag={drag}
            setDrag={setDrag}
            forbidden={forbidden}
            actions={actions}
          />
        ))}
    </>
  );
}

export function GroupTreeView({
  roots,
  selectedId,
  actions,
}: {
  roots: GroupTreeNode[];
  selectedId: string | undefined;
  actions: GroupTreeActions;
}) {
  const { t } = useTranslation();
  const [drag, setDrag] = useState<DragState>({});
  const dragged = drag.groupId ? findGroup(roots, drag.groupId)?.node : undefined;
  // A group cannot be dropped on itself or inside itself; devices can be dropped anywhere.
  const forbidden = dragged ? subtreeIds(dragged) : new Set<string>();
  const overTop = drag.over === '' && dragged?.parentId !== undefined;
  return (
    <Stack gap={2} role="tree" aria-label={t('groups.tree.label')}>
      {roots.map((node) => (
        <TreeRow
          key={node.id}
          node={node}
          depth={0}
          selectedId={selectedId}
          drag={drag}
          setDrag={setDrag}
          forbidden={forbidden}
          actions={actions}
        />
      ))}
      {dragged && (
        <Box
          data-testid="group-drop-top"
          p="xs"
          mt={4}
          onDragOver={(e) => {
            e.preventDefault();
            if (drag.over !== '') setDrag({ ...drag, over: '' });
          }}
          onDrop={(e) => {
            e.preventDefault();
            setDrag({});
            const dropped = readDrop(e);
            if (dropped.groupId) actions.onMoveGroup(dropped.groupId, null);
          }}
          style={{
            border: '1px dashed var(--mantine-color-gray-5)',
            borderRadius: 6,
            background: overTop ? 'var(--mantine-color-blue-light-hover)' : undefined,
          }}
        >
          <Text size="xs" c="dimmed" ta="center">
            {t('groups.tree.dropTop')}
          </Text>
        </Box>
      )}
    </Stack>
  );
}
