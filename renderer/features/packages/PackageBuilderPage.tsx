// Package builder: a software package (R-15.1: the UpgradeDesc.json fields with live validation and the vendor
// file) or a firmware package (one .bin in a .zip), and the zip it produces, with the way on to signing it.
import { Alert, Button, Card, Code, Group, NumberInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { IconDownload, IconPackage, IconSignature } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { z } from 'zod';
import { softwareProtocols, type buildResultSchema, type SoftwareBuildInput } from '../../../core/contract/index.js';
import { ApiClientError } from '../../api/client.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { FileSource, type ChosenFile } from '../signing/FileSource.js';
import { useDownloadZip } from '../signing/signingQueries.js';
import {
  emptyBuilderForm,
  firmwareProblems,
  softwareProblems,
  toSoftwareBuildInput,
  type BuilderForm,
  type SoftwareProtocol,
} from './builderForm.js';
import { useBuildFirmwarePackage, useBuildSoftwarePackage } from './packageQueries.js';
import { PackageMetadataFields, type ProductIdentity } from './PackageMetadataFields.js';

type PackageKind = 'software' | 'firmware';
type BuildResult = z.infer<typeof buildResultSchema>;
/** What the outcome card needs of either kind's build mutation. */
interface BuildState {
  isError: boolean;
  error: Error | null;
  data: BuildResult | undefined;
}

export function PackageBuilderPage() {
  const { t } = useTranslation();
  const [kind, setKind] = useState<PackageKind>('software');
  // Both forms live here so switching the kind keeps what was typed in the other.
  const software = useSoftwareBuilderState();
  const firmware = useFirmwareBuilderState();
  return (
    <Stack gap="md">
      <SegmentedControl
        w="fit-content"
        value={kind}
        onChange={(value) => setKind(value)}
        data={[
          { value: 'software', label: t('packages.builder.kinds.software') },
          { value: 'firmware', label: t('packages.builder.kinds.firmware') },
        ]}
        data-testid="builder-kind"
      />
      {kind === 'software' ? <SoftwareBuilder state={software} /> : <FirmwareBuilder state={firmware} />}
    </Stack>
  );
}

function useSoftwareBuilderState() {
  const [form, setForm] = useState<BuilderForm>(emptyBuilderForm);
  const [file, setFile] = useState<ChosenFile>();
  const [edited, setEdited] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const build = useBuildSoftwarePackage();
  return { form, setForm, file, setFile, edited, setEdited, submitted, setSubmitted, build };
}

function useFirmwareBuilderState() {
  const [file, setFile] = useState<ChosenFile>();
  const [submitted, setSubmitted] = useState(false);
  const build = useBuildFirmwarePackage();
  return { file, setFile, submitted, setSubmitted, build };
}

function FirmwareBuilder({ state }: { state: ReturnType<typeof useFirmwareBuilderState> }) {
  const { t } = useTranslation();
  const { file, setFile: onFile, submitted, setSubmitted, build } = state;
  const problems = firmwareProblems(file?.path);
  const problem = problems.get('binPath');
  const submit = () => {
    setSubmitted(true);
    if (!file || problem !== undefined) return;
    build.mutate({ binPath: file.path });
  };
  return (
    <Stack gap="md">
      <Card withBorder padding="md">
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            {t('packages.builder.firmwareHint')}
          </Text>
          <FileSource
            value={file}
            onChange={(f) => {
              onFile(f);
              build.reset();
            }}
            accept=".bin"
            title={t('packages.builder.binFile')}
            hint={t('packages.builder.binFileHint')}
            error={
              !file
                ? submitted
                  ? t('packages.builder.binNeeded')
                  : undefined
                : problem !== undefined
                  ? t('packages.builder.binNotBin')
                  : undefined
            }
            testId="builder-bin"
          />
          <Group>
            <Button
              leftSection={<IconPackage size={16} />}
              onClick={submit}
              loading={build.isPending}
              data-testid="build-firmware"
            >
              {t('packages.builder.buildFirmware')}
            </Button>
          </Group>
        </Stack>
      </Card>
      <BuildOutcome build={build} />
    </Stack>
  );
}

function SoftwareBuilder({ state }: { state: ReturnType<typeof useSoftwareBuilderState> }) {
  const { t } = useTranslation();
  const { form, setForm, file, setFile, edited, setEdited, submitted, setSubmitted, build } = state;
  const input = toSoftwareBuildInput(form, file?.path);
  const problems = softwareProblems(input);
  // A field shows its problem once it was touched, or after a build was attempted.
  const errorOf = (field: string) =>
    (submitted || edited.has(field)) && problems.has(field)
      ? t(`packages.builder.rules.${field}`, { detail: problems.get(field) })
      : undefined;
  const set =
    <K extends keyof BuilderForm>(field: K) =>
    (value: BuilderForm[K]) => {
      setForm((f) => ({ ...f, [field]: value }));
      setEdited((e) => new Set(e).add(field));
      build.reset();
    };
  const submit = () => {
    setSubmitted(true);
    if (problems.size > 0) return;
    build.mutate(input as SoftwareBuildInput);
  };
  const fillFromProduct = (identity: ProductIdentity<SoftwareProtocol>) => {
    setForm((f) => ({ ...f, ...identity }));
    setEdited((e) => new Set([...e, 'deviceType', 'manufacturerName', 'model', 'protocolType']));
  };
  return (
    <Stack gap="md">
      <Card withBorder padding="md">
        <Stack gap="md">
          <PackageMetadataFields
            value={form}
            protocols={softwareProtocols}
            onFieldChange={(field, text) => set(field)(text)}
            onProductPicked={fillFromProduct}
            errorOf={errorOf}
            placeholders={{
              version: 'V1.1',
              deviceType: 'WaterMeter',
              manufacturerName: 'HZYB',
              model: 'NBIoTDevice',
              supportSourceVersionList: 'V1.0.*;V0.9',
            }}
            productHint={t('packages.builder.fromProductHint')}
            productTestId="builder-product"
            columns={2}
            spacing="md"
          >
            <TextInput
              label={t('packages.builder.platform')}
              description={t('packages.builder.platformHint')}
              value={form.platform}
              onChange={(e) => set('platform')(e.currentTarget.value)}
              error={errorOf('platform')}
            />
            <NumberInput
              label={t('packages.builder.shard')}
              description={t('packages.builder.shardHint')}
              value={form.deviceShard}
              onChange={(v) => set('deviceShard')(v)}
              allowDecimal={false}
              error={errorOf('deviceShard')}
            />
            <TextInput
              label={t('packages.builder.checkCode')}
              description={t('packages.builder.checkCodeHint')}
              placeholder="ABCD"
              value={form.versionCheckCode}
              onChange={(e) => set('versionCheckCode')(e.currentTarget.value)}
              error={errorOf('versionCheckCode')}
            />
          </PackageMetadataFields>
          <FileSource
            value={file}
            onChange={(f) => {
              setFile(f);
              build.reset();
            }}
            title={t('packages.builder.file')}
            hint={t('packages.builder.fileHint')}
            error={submitted && !file ? t('packages.builder.fileNeeded') : undefined}
            testId="builder-file"
          />
          <Group>
            <Button leftSection={<IconPackage size={16} />} onClick={submit} loading={build.isPending}>
              {t('packages.builder.build')}
            </Button>
            {submitted && problems.size > 0 && (
              <Text size="sm" c="red" data-testid="builder-problems">
                {t('packages.builder.problems', { count: problems.size })}
              </Text>
            )}
          </Group>
        </Stack>
      </Card>
      <BuildOutcome build={build} />
    </Stack>
  );
}

function BuildOutcome({ build }: { build: BuildState }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const download = useDownloadZip();
  const result = build.data;
  const serverField =
    build.error instanceof ApiClientError && build.error.path?.startsWith('body.')
      ? build.error.path.slice('body.'.length)
      : undefined;
  return (
    <>
      {build.isError && (
        <Alert color="red" variant="light" title={describeApiError(build.error).title} role="alert">
          {serverField !== undefined && (
            <Text size="sm">
              {t('packages.builder.field')} <Code>{serverField}</Code>
            </Text>
          )}
          <Text size="sm">{describeApiError(build.error).message}</Text>
        </Alert>
      )}
      {result && (
        <Alert color="teal" variant="light" title={t('packages.builder.built')} data-testid="build-result">
          <Stack gap="xs">
            <Group gap={4}>
              <Text size="xs">{t('packages.builder.output')}</Text>
              <CopyableValue value={result.outputPath} label={t('packages.builder.output')} size="xs" />
            </Group>
            <Text size="xs">{t('packages.builder.entries', { bytes: result.bytes })}</Text>
            <Stack gap={0}>
              {result.entries.map((entry) => (
                <Text key={entry} size="xs" ff="monospace">
                  {entry}
                </Text>
              ))}
            </Stack>
            <Group gap="xs" mt="xs">
              <Button
                size="xs"
                leftSection={<IconSignature size={14} />}
                onClick={() => void navigate(`/signing/sign?path=${encodeURIComponent(result.outputPath)}`)}
                data-testid="sign-built"
              >
                {t('packages.builder.signIt')}
              </Button>
              <Button
                size="xs"
                variant="default"
                leftSection={<IconDownload size={14} />}
                onClick={() => download.mutate(result.outputPath)}
                loading={download.isPending}
              >
                {t('packages.builder.download')}
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
    </>
  );
}
