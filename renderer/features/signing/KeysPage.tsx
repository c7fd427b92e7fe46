// Key pairs in the data folder: generate, import, list with fingerprints, delete. Keys appear by name, path and
// fingerprint only; their private parts stay on disk, encrypted.
import { Button, Card, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { IconFileImport, IconKey, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { signatureAlgorithmNames, type KeyInfo } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { GenerateKeyModal } from './GenerateKeyModal.js';
import { ImportKeyModal } from './ImportKeyModal.js';
import { useDeleteKey, useSigningKeys } from './signingQueries.js';

export function KeysPage() {
  const { t } = useTranslation();
  const keys = useSigningKeys();
  const [generating, setGenerating] = useState(false);
  const [importing, setImporting] = useState(false);
  const [deleting, setDeleting] = useState<KeyInfo>();

  return (
    <Stack gap="md">
      <Group gap="xs">
        <Button leftSection={<IconKey size={16} />} onClick={() => setGenerating(true)}>
          {t('signing.keys.generate.open')}
        </Button>
        <Button variant="default" leftSection={<IconFileImport size={16} />} onClick={() => setImporting(true)}>
          {t('signing.keys.import.open')}
        </Button>
      </Group>
      {keys.isPending ? (
        <LoadingState />
      ) : keys.isError ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
      ) : (
        <Card withBorder padding="md">
          {keys.data.keys.length === 0 ? (
            <EmptyState title={t('signing.keys.empty.title')}>{t('signing.keys.empty.hint')}</EmptyState>
          ) : (
            <Table verticalSpacing="sm" data-testid="keys-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('signing.keys.name')}</Table.Th>
                  <Table.Th>{t('signing.keys.algorithm')}</Table.Th>
                  <Table.Th>{t('signing.keys.fingerprint')}</Table.Th>
                  <Table.Th>{t('signing.keys.files')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {keys.data.keys.map((key) => (
                  <Table.Tr key={key.name} data-testid="key-row">
                    <Table.Td>
                      <Text fw={500}>{key.name}</Text>
                      <StatusBadge tone={key.hasPrivateKey ? 'ok' : 'neutral'} size="xs">
                        {key.hasPrivateKey ? t('signing.keys.canSign') : t('signing.keys.verifyOnly')}
                      </StatusBadge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{t(`signing.algorithms.${key.algorithm}`)}</Text>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {signatureAlgorithmNames[key.algorithm]}
                      </Text>
                    </Table.Td>
                    <Table.Td maw={260} data-testid="key-fingerprint">
                      <CopyableValue value={key.fingerprint} label={t('signing.keys.fingerprint')} size="xs" />
                    </Table.Td>
                    <Table.Td maw={320}>
                      <CopyableValue value={key.publicKeyPath} label={t('signing.keys.publicKeyPath')} size="xs" />
                      {key.privateKeyPath !== undefined && (
                        <CopyableValue value={key.privateKeyPath} label={t('signing.keys.privateKeyPath')} size="xs" />
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Button
                        variant="subtle"
                        color="red"
                        size="xs"
                        leftSection={<IconTrash size={14} />}
                        onClick={() => setDeleting(key)}
                        aria-label={t('signing.keys.delete.aria', { name: key.name })}
                      >
                        {t('signing.keys.delete.button')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Group gap={4} mt="sm">
            <Text size="xs" c="dimmed">
              {t('signing.keys.folder')}
            </Text>
            <CopyableValue value={keys.data.keysDir} label={t('signing.keys.folder')} size="xs" />
          </Group>
        </Card>
      )}
      <GenerateKeyModal opened={generating} onClose={() => setGenerating(false)} />
      <ImportKeyModal opened={importing} onClose={() => setImporting(false)} />
      <DeleteKeyModal keyInfo={deleting} onClose={() => setDeleting(undefined)} />
    </Stack>
  );
}

function DeleteKeyModal({ keyInfo, onClose }: { keyInfo: KeyInfo | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const remove = useDeleteKey();
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Modal opened={keyInfo !== undefined} onClose={close} title={t('signing.keys.delete.title')}>
      {keyInfo && (
        <Stack gap="sm">
          <Text size="sm">{t('signing.keys.delete.confirm', { name: keyInfo.name })}</Text>
          <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
            {keyInfo.fingerprint}
          </Text>
          {remove.isError && (
            <Text size="sm" c="red" role="alert">
              {describeApiError(remove.error).message}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('signing.common.cancel')}
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() => remove.mutate(keyInfo.name, { onSuccess: close })}
              data-testid="delete-key-confirm"
            >
              {t('signing.keys.delete.button')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
