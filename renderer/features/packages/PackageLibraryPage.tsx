// The package library: signed packages enter by upload (checked against the manufacturer's key and a product
// model), are listed with their details, and leave by delete unless an upgrade task uses them.
import {
  Alert,
  Button,
  Card,
  Code,
  Drawer,
  Group,
  Modal,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconAlertTriangle, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { packageRefusalDetailsSchema, type StoredPackage } from '../../../core/contract/index.js';
import { ApiClientError } from '../../api/client.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { FileDropzone } from '../../ui/FileDropzone.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { VerifyOutcome } from '../signing/SigningOutcome.js';
import {
  emptyFirmwareMetadata,
  firmwareMetadataProblems,
  toUploadQuery,
  type FirmwareMetadataForm,
} from './builderForm.js';
import { FirmwareMetadataFields } from './FirmwareMetadataFields.js';
import { ManufacturerKeysCard } from './ManufacturerKeysCard.js';
import { useDeletePackage, usePackageList, useUploadPackage } from './packageQueries.js';
import { formatDateTime } from '../../app/i18n.js';

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A refused upload or delete: the code in words when known, the core's message, the verification if any. */
export function LibraryRefusal({ error, testId }: { error: unknown; testId: string }) {
  const { t } = useTranslation();
  const code = error instanceof ApiClientError ? error.code : undefined;
  const details = error instanceof ApiClientError ? packageRefusalDetailsSchema.safeParse(error.details) : undefined;
  const verification = details?.success ? details.data.verification : undefined;
  const known = code !== undefined && t(`packages.refusal.${code}`, { defaultValue: '' }) !== '';
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={known ? t(`packages.refusal.${code}`) : describeApiError(error).title}
      role="alert"
      data-testid={testId}
      data-code={code}
    >
      {verification && !verification.valid ? (
        // The verification's problems already carry the code and the core's words.
        <VerifyOutcome result={verification} bare />
      ) : (
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          {code !== undefined && <Code mr={4}>{code}</Code>}
          {error instanceof Error ? error.message : String(error)}
        </Text>
      )}
    </Alert>
  );
}

function UploadDropzone() {
  const { t } = useTranslation();
  const [fileName, setFileName] = useState<string>();
  const [kind, setKind] = useState<'software' | 'firmware'>('software');
  const [metadata, setMetadata] = useState<FirmwareMetadataForm>(emptyFirmwareMetadata);
  const [attempted, setAttempted] = useState(false);
  const upload = useUploadPackage();
  const problems = firmwareMetadataProblems(metadata);
  const errorOf = (field: keyof FirmwareMetadataForm) =>
    attempted && problems.has(field) ? t(`packages.library.upload.rules.${field}`) : undefined;
  const start = (file: File) => {
    setFileName(file.name);
    upload.reset();
    if (kind === 'firmware') {
      setAttempted(true);
      if (problems.size > 0) return;
    }
    upload.mutate({ file, query: kind === 'firmware' ? toUploadQuery(metadata) : {} });
  };
  return (
    <Card withBorder padding="md">
      <Stack gap="sm">
        <SegmentedControl
          w="fit-content"
          value={kind}
          onChange={(value) => {
            setKind(value);
            upload.reset();
          }}
          data={[
            { value: 'software', label: t('packages.library.upload.kinds.software') },
            { value: 'firmware', label: t('packages.library.upload.kinds.firmware') },
          ]}
          data-testid="upload-kind"
        />
        {kind === 'firmware' && <FirmwareMetadataFields value={metadata} onChange={setMetadata} errorOf={errorOf} />}
        <FileDropzone
          onFile={start}
          title={t('packages.library.upload.title')}
          hint={t(kind === 'firmware' ? 'packages.library.upload.firmwareHint' : 'packages.library.upload.hint')}
          chooseLabel={t('packages.library.upload.choose')}
          accept=".zip,application/zip"
          loading={upload.isPending}
          testId="package-dropzone"
          inputTestId="package-file-input"
        />
        {fileName !== undefined && kind === 'firmware' && attempted && problems.size > 0 && !upload.isPending && (
          <Text size="sm" c="red" role="alert" data-testid="upload-metadata-missing">
            {t('packages.library.upload.metadataMissing', { name: fileName, count: problems.size })}
          </Text>
        )}
        {fileName !== undefined && upload.isError && (
          <Stack gap={4}>
            <Text size="xs" c="dimmed">
              {t('packages.library.upload.fileName', { name: fileName })}
            </Text>
            <LibraryRefusal error={upload.error} testId="upload-refused" />
          </Stack>
        )}
        {upload.isSuccess && (
          <Text size="sm" c="teal" data-testid="upload-stored">
            {t('packages.library.upload.stored', { package: packageTitle(upload.data) })}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

/** A package by name and version; a software package's default name (`<model> <version>`) already ends with it. */
export function packageTitle(pkg: { name: string; version: string }): string {
  return pkg.name === pkg.version || pkg.name.endsWith(` ${pkg.version}`) ? pkg.name : `${pkg.name} ${pkg.version}`;
}

/** The signing time the package's signature states, localised like the other times when it reads as one. */
function signedAtText(signedAt: string | undefined): string {
  if (signedAt === undefined) return '—';
  return Number.isNaN(Date.parse(signedAt)) ? signedAt : formatDateTime(signedAt);
}

function PackageDetails({ pkg }: { pkg: StoredPackage }) {
  const { t } = useTranslation();
  const rows: [string, string][] = [
    ['kind', t(`packages.library.kinds.${pkg.kind}`)],
    ['version', pkg.version],
    ['deviceType', pkg.deviceType],
    ['manufacturer', pkg.manufacturerName],
    ['model', pkg.model],
    ['protocol', pkg.protocolType],
    ['sourceVersions', pkg.supportSourceVersionList || '—'],
    ['description', pkg.description || '—'],
    ['fileName', pkg.fileName],
    ['size', formatBytes(pkg.size)],
    ['signedAt', signedAtText(pkg.signedAt)],
    ['uploadedAt', formatDateTime(pkg.uploadedAt)],
  ];
  return (
    <Stack gap="sm" data-testid="package-details">
      <Table>
        <Table.Tbody>
          {rows.map(([key, value]) => (
            <Table.Tr key={key}>
              <Table.Th w={180}>{t(`packages.library.fields.${key}`)}</Table.Th>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{value}</Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Th>{t('packages.library.fields.sha256')}</Table.Th>
            <Table.Td>
              <CopyableValue value={pkg.sha256} size="xs" />
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>{t('packages.library.fields.keyFingerprint')}</Table.Th>
            <Table.Td>
              <CopyableValue value={pkg.keyFingerprint} size="xs" />
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      {pkg.upgradeDesc && (
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            UpgradeDesc.json
          </Text>
          <Code block>{JSON.stringify(pkg.upgradeDesc, null, 2)}</Code>
        </Stack>
      )}
    </Stack>
  );
}

function DeletePackageModal({ pkg, onClose }: { pkg: StoredPackage | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const remove = useDeletePackage();
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Modal opened={pkg !== undefined} onClose={close} title={t('packages.library.delete.title')}>
      {pkg && (
        <Stack gap="sm">
          <Text size="sm">{t('packages.library.delete.confirm', { package: packageTitle(pkg) })}</Text>
          {remove.isError && <LibraryRefusal error={remove.error} testId="delete-refused" />}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('packages.common.cancel')}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(pkg.id, { onSuccess: close })}>
              {t('packages.common.delete')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

export function PackageLibraryPage() {
  const { t } = useTranslation();
  const list = usePackageList();
  const [selected, setSelected] = useState<StoredPackage>();
  const [deleting, setDeleting] = useState<StoredPackage>();

  return (
    <Stack gap="md">
      <UploadDropzone />
      <Card withBorder padding="md">
        <Title order={3} size="h5" mb="sm">
          {t('packages.library.title')}
        </Title>
        {list.isPending ? (
          <LoadingState />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : list.data.packages.length === 0 ? (
          <EmptyState title={t('packages.library.empty.title')}>{t('packages.library.empty.hint')}</EmptyState>
        ) : (
          <Table highlightOnHover data-testid="packages-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('packages.library.fields.name')}</Table.Th>
                <Table.Th>{t('packages.library.fields.version')}</Table.Th>
                <Table.Th>{t('packages.library.fields.kind')}</Table.Th>
                <Table.Th>{t('packages.library.fields.product')}</Table.Th>
                <Table.Th>{t('packages.library.fields.size')}</Table.Th>
                <Table.Th>{t('packages.library.fields.keyFingerprint')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.packages.map((pkg) => (
                <Table.Tr key={pkg.id} data-testid="package-row">
                  <Table.Td>
                    <Button variant="subtle" size="compact-sm" onClick={() => setSelected(pkg)}>
                      {pkg.name}
                    </Button>
                  </Table.Td>
                  <Table.Td>
                    <Text ff="monospace" size="sm">
                      {pkg.version}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge tone="neutral">{t(`packages.library.kinds.${pkg.kind}`)}</StatusBadge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {pkg.deviceType} · {pkg.manufacturerName} · {pkg.model}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {pkg.protocolType}
                    </Text>
                  </Table.Td>
                  <Table.Td>{formatBytes(pkg.size)}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace" title={pkg.keyFingerprint}>
                      {pkg.keyFingerprint.slice(0, 16)}…
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      leftSection={<IconTrash size={14} />}
                      onClick={() => setDeleting(pkg)}
                    >
                      {t('packages.common.delete')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      <ManufacturerKeysCard />
      <Drawer
        opened={selected !== undefined}
        onClose={() => setSelected(undefined)}
        position="right"
        size="lg"
        title={selected ? packageTitle(selected) : ''}
      >
        {selected && <PackageDetails pkg={selected} />}
      </Drawer>
      <DeletePackageModal pkg={deleting} onClose={() => setDeleting(undefined)} />
    </Stack>
  );
}
