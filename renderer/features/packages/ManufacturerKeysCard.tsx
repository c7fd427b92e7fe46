// Public keys per manufacturer: the library accepts a package only if it verifies with one of its manufacturer's.
import {
  Alert,
  Button,
  Card,
  Code,
  FileButton,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { IconKey, IconTrash, IconUpload } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ManufacturerKey } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { useSigningKeys } from '../signing/signingQueries.js';
import { useAddManufacturerKey, useDeleteManufacturerKey, useManufacturerKeys } from './packageQueries.js';

export function ManufacturerKeysCard() {
  const { t } = useTranslation();
  const keys = useManufacturerKeys();
  const remove = useDeleteManufacturerKey();
  const [deleting, setDeleting] = useState<ManufacturerKey>();
  const closeDelete = () => {
    remove.reset();
    setDeleting(undefined);
  };
  return (
    <Card withBorder padding="md">
      <Stack gap="sm">
        <Title order={3} size="h5">
          {t('packages.keys.title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('packages.keys.hint')}
        </Text>
        <AddManufacturerKey />
        {keys.isPending ? (
          <LoadingState />
        ) : keys.isError ? (
          <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
        ) : keys.data.keys.length === 0 ? (
          <EmptyState title={t('packages.keys.empty')} />
        ) : (
          <Table data-testid="manufacturer-keys">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('packages.keys.manufacturer')}</Table.Th>
                <Table.Th>{t('packages.keys.label')}</Table.Th>
                <Table.Th>{t('packages.keys.algorithm')}</Table.Th>
                <Table.Th>{t('packages.keys.fingerprint')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.data.keys.map((key) => (
                <Table.Tr key={key.id} data-testid="manufacturer-key-row">
                  <Table.Td>{key.manufacturerName}</Table.Td>
                  <Table.Td>{key.label}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {key.algorithm}
                    </Text>
                  </Table.Td>
                  <Table.Td maw={280}>
                    <CopyableValue value={key.fingerprint} label={t('packages.keys.fingerprint')} size="xs" />
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      leftSection={<IconTrash size={14} />}
                      onClick={() => setDeleting(key)}
                      data-testid="manufacturer-key-delete"
                    >
                      {t('packages.common.delete')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      <Modal opened={deleting !== undefined} onClose={closeDelete} title={t('packages.keys.deleteTitle')}>
        {deleting && (
          <Stack gap="sm" data-testid="manufacturer-key-delete-dialog">
            <Text size="sm">{t('packages.keys.deleteConfirm', { name: deleting.manufacturerName })}</Text>
            <Stack gap={2}>
              <Text size="xs" c="dimmed">
                {t('packages.keys.fingerprint')}
              </Text>
              <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                {deleting.fingerprint}
              </Code>
            </Stack>
            {remove.isError && (
              <Alert color="red" variant="light" title={describeApiError(remove.error).title} role="alert">
                {describeApiError(remove.error).message}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={closeDelete}>
                {t('packages.common.cancel')}
              </Button>
              <Button
                color="red"
                loading={remove.isPending}
                onClick={() => remove.mutate(deleting.id, { onSuccess: closeDelete })}
                data-testid="manufacturer-key-delete-confirm"
              >
                {t('packages.common.delete')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Card>
  );
}

function AddManufacturerKey() {
  const { t } = useTranslation();
  const signingKeys = useSigningKeys();
  const add = useAddManufacturerKey();
  const [source, setSource] = useState<'mine' | 'pem'>('mine');
  const [manufacturerName, setManufacturerName] = useState('');
  const [label, setLabel] = useState('');
  const [keyName, setKeyName] = useState<string | null>(null);
  const [pem, setPem] = useState('');
  const [touched, setTouched] = useState(false);
  const mine = signingKeys.data?.keys.find((k) => k.name === keyName);

  const submit = () => {
    setTouched(true);
    const base = { manufacturerName: manufacturerName.trim(), label: label.trim() === '' ? undefined : label.trim() };
    if (base.manufacturerName === '') return;
    if (source === 'mine') {
      if (!mine) return;
      add.mutate(
        { ...base, publicKeyPath: mine.publicKeyPath },
        { onSuccess: () => (setKeyName(null), setTouched(false)) },
      );
    } else {
      if (pem.trim() === '') return;
      add.mutate({ ...base, publicKeyPem: pem }, { onSuccess: () => (setPem(''), setTouched(false)) });
    }
  };

  return (
    <Stack gap="xs" data-testid="add-manufacturer-key">
      <Group align="flex-end" gap="sm">
        <TextInput
          label={t('packages.keys.manufacturer')}
          placeholder="HZYB"
          value={manufacturerName}
          onChange={(e) => setManufacturerName(e.currentTarget.value)}
          error={touched && manufacturerName.trim() === '' ? t('packages.keys.manufacturerNeeded') : undefined}
          w={200}
        />
        <TextInput
          label={t('packages.keys.label')}
          placeholder={t('packages.keys.labelPlaceholder')}
          value={label}
          onChange={(e) => setLabel(e.currentTarget.value)}
          w={200}
        />
        <SegmentedControl
          value={source}
          onChange={(v) => setSource(v)}
          data={[
            { value: 'mine', label: t('packages.keys.fromMine') },
            { value: 'pem', label: t('packages.keys.fromPem') },
          ]}
        />
      </Group>
      {source === 'mine' ? (
        <Select
          label={t('packages.keys.myKey')}
          placeholder={signingKeys.data?.keys.length === 0 ? t('packages.keys.noMyKeys') : t('packages.keys.pickMyKey')}
          data={(signingKeys.data?.keys ?? []).map((k) => ({
            value: k.name,
            label: `${k.name} · ${k.fingerprint.slice(0, 16)}…`,
          }))}
          value={keyName}
          onChange={setKeyName}
          error={touched && !mine ? t('packages.keys.myKeyNeeded') : undefined}
          data-testid="manufacturer-key-mine"
        />
      ) : (
        <Stack gap={4}>
          <Textarea
            label={t('packages.keys.pem')}
            placeholder={'-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----'}
            autosize
            minRows={3}
            maxRows={8}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
            value={pem}
            onChange={(e) => setPem(e.currentTarget.value)}
            error={touched && pem.trim() === '' ? t('packages.keys.pemNeeded') : undefined}
          />
          <FileButton accept=".pem,.pub,.key,text/plain" onChange={(file) => void file?.text().then(setPem)}>
            {(props) => (
              <Button {...props} size="xs" variant="subtle" leftSection={<IconUpload size={14} />} w="fit-content">
                {t('packages.keys.pemFile')}
              </Button>
            )}
          </FileButton>
        </Stack>
      )}
      <Group>
        <Button
          leftSection={<IconKey size={16} />}
          onClick={submit}
          loading={add.isPending}
          data-testid="add-key-submit"
        >
          {t('packages.keys.add')}
        </Button>
      </Group>
      {add.isError && (
        <Alert color="red" variant="light" title={describeApiError(add.error).title} role="alert">
          {describeApiError(add.error).message}
        </Alert>
      )}
    </Stack>
  );
}
