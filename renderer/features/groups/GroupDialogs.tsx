// The group dialogs: create or edit (name, description, device limit), move under another group, delete with the
// choice between the whole subtree and the current group only spelled out.
import {
  Alert,
  Button,
  Group,
  Modal,
  NumberInput,
  Radio,
  Select,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GroupDeleteMode, GroupTreeNode } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { useCreateGroup, useDeleteGroup, useMoveGroup, useRenameGroup } from './groupQueries.js';
import { subtreeIds, totalDevices, validParents } from './groupTree.js';

function ErrorLine({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <Text size="sm" c="red" role="alert">
      {describeApiError(error).message}
    </Text>
  );
}

/** Create (with `parent` for a child) or, with `editing`, change a group. */
export function GroupFormModal({
  opened,
  onClose,
  parent,
  editing,
  onSaved,
}: {
  opened: boolean;
  onClose: () => void;
  parent?: GroupTreeNode;
  editing?: GroupTreeNode;
  onSaved?: (groupId: string) => void;
}) {
  const { t } = useTranslation();
  const create = useCreateGroup();
  const rename = useRenameGroup();
  const [name, setName] = useState(editing?.name ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [maxDevNum, setMaxDevNum] = useState<number>(editing?.maxDevNum ?? 0);
  const pending = create.isPending || rename.isPending;
  const submit = () => {
    const done = (groupId: string) => {
      onSaved?.(groupId);
      onClose();
    };
    if (editing)
      rename.mutate(
        { groupId: editing.id, name: name.trim(), description, maxDevNum },
        { onSuccess: (g) => done(g.id) },
      );
    else
      create.mutate(
        {
          name: name.trim(),
          ...(description ? { description } : {}),
          ...(maxDevNum > 0 ? { maxDevNum } : {}),
          ...(parent ? { parentId: parent.id } : {}),
        },
        { onSuccess: (g) => done(g.id) },
      );
  };
  const title = editing
    ? t('groups.form.editTitle', { name: editing.name })
    : parent
      ? t('groups.form.childTitle', { parent: parent.name })
      : t('groups.form.rootTitle');
  return (
    <Modal opened={opened} onClose={onClose} title={title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack>
          <TextInput
            label={t('groups.form.name')}
            description={t('groups.form.nameHint')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            maxLength={64}
            data-autofocus
          />
          <Textarea
            label={t('groups.form.description')}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            autosize
            minRows={2}
            maxLength={1024}
          />
          <NumberInput
            label={t('groups.form.maxDevNum')}
            description={t('groups.form.maxDevNumHint')}
            value={maxDevNum}
            onChange={(v) => setMaxDevNum(typeof v === 'number' ? v : 0)}
            min={0}
            max={1_000_000}
            allowDecimal={false}
          />
          <ErrorLine error={create.error ?? rename.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('groups.form.cancel')}
            </Button>
            <Button type="submit" loading={pending} disabled={!name.trim()}>
              {editing ? t('groups.form.save') : t('groups.form.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function MoveGroupModal({
  roots,
  moving,
  onClose,
}: {
  roots: GroupTreeNode[];
  moving: GroupTreeNode;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const move = useMoveGroup();
  const TOP = '__top__';
  const options = [
    ...(moving.parentId ? [{ value: TOP, label: t('groups.move.top') }] : []),
    ...validParents(roots, moving).map((g) => ({ value: g.node.id, label: g.path.join(' / ') })),
  ];
  const [target, setTarget] = useState<string | null>(null);
  return (
    <Modal opened onClose={onClose} title={t('groups.move.title', { name: moving.name })}>
      <Stack>
        <Select
          label={t('groups.move.target')}
          description={t('groups.move.hint')}
          data={options}
          value={target}
          onChange={setTarget}
          searchable
          nothingFoundMessage={t('groups.move.none')}
        />
        <ErrorLine error={move.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('groups.form.cancel')}
          </Button>
          <Button
            disabled={target === null}
            loading={move.isPending}
            onClick={() =>
              target !== null &&
              move.mutate({ groupId: moving.id, parentId: target === TOP ? null : target }, { onSuccess: onClose })
            }
          >
            {t('groups.move.submit')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function DeleteGroupModal({
  group,
  onClose,
  onDeleted,
}: {
  group: GroupTreeNode;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const { t } = useTranslation();
  const remove = useDeleteGroup();
  const [mode, setMode] = useState<GroupDeleteMode>('current');
  const below = subtreeIds(group).size - 1;
  const devices = mode === 'cascade' ? totalDevices(group) : group.curDevNum;
  return (
    <Modal opened onClose={onClose} title={t('groups.delete.title', { name: group.name })}>
      <Stack>
        {below > 0 ? (
          <Radio.Group value={mode} onChange={(v) => setMode(v)} label={t('groups.delete.choose')}>
            <Stack gap="xs" mt="xs">
              <Radio
                value="current"
                label={t('groups.delete.current')}
                description={t('groups.delete.currentHint', { count: group.children.length })}
              />
              <Radio
                value="cascade"
                label={t('groups.delete.cascade')}
                description={t('groups.delete.cascadeHint', { count: below })}
              />
            </Stack>
          </Radio.Group>
        ) : (
          <Text size="sm">{t('groups.delete.leaf')}</Text>
        )}
        <Alert color="orange" variant="light">
          {t('groups.delete.devices', { count: devices })}
        </Alert>
        <ErrorLine error={remove.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('groups.form.cancel')}
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            onClick={() => remove.mutate({ groupId: group.id, mode }, { onSuccess: onDeleted })}
          >
            {mode === 'cascade' && below > 0
              ? t('groups.delete.submitCascade', { count: below + 1 })
              : t('groups.delete.submit')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
