// Software package builder: the UpgradeDesc.json fields with live validation, the vendor file, and the
// zip it produces, with the way on to signing it.
import {
  Alert,
  Button,
  Card,
  Code,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { IconDownload, IconPackage, IconSignature } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { softwareBuildSchema, softwareProtocols, type SoftwareBuildInput } from '../../../core/contract/index.js';
import { ApiClientError } from '../../api/client.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { FileSource, type ChosenFile } from '../signing/FileSource.js';
import { useDownloadZip } from '../signing/signingQueries.js';
import { useBuildSoftwarePackage, useProductIdentities } from './packageQueries.js';

type Protocol = (typeof softwareProtocols)[number];

interface BuilderForm {
  version: string;
  deviceType: string;
  manufacturerName: string;
  model: string;
  protocolType: Protocol | '';
  platform: string;
  deviceShard: number | string;
  versionCheckCode: string;
  supportSourceVersionList: string;
  description: string;
}

const emptyForm: BuilderForm = {
  version: '',
  deviceType: '',
  manufacturerName: '',
  model: '',
  protocolType: '',
  platform: 'linux',
  deviceShard: 500,
  versionCheckCode: '',
  supportSourceVersionList: '',
  description: '',
};

const optional = (text: string) => (text.trim() === '' ? undefined : text.trim());

function toBuildInput(form: BuilderForm, file: ChosenFile | undefined): Record<string, unknown> {
  return {
    filePath: file?.path ?? '',
    version: form.version,
    deviceType: form.deviceType.trim(),
    manufacturerName: form.manufacturerName.trim(),
    model: form.model.trim(),
    protocolType: form.protocolType === '' ? undefined : form.protocolType,
    platform: form.platform.trim(),
    deviceShard: typeof form.deviceShard === 'number' ? form.deviceShard : Number.NaN,
    versionCheckCode: optional(form.versionCheckCode),
    supportSourceVersionList: optional(form.supportSourceVersionList),
    description: optional(form.description),
  };
}

/** The first problem of each field, in the contract's own validation. */
function fieldProblems(input: Record<string, unknown>): Map<string, string> {
  const problems = new Map<string, string>();
  const result = softwareBuildSchema.safeParse(input);
  if (result.success) return problems;
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '');
    if (!problems.has(field)) problems.set(field, issue.message);
  }
  return problems;
}

export function PackageBuilderPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [form, setForm] = useState<BuilderForm>(emptyForm);
  const [file, setFile] = useState<ChosenFile>();
  const [edited, setEdited] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const build = useBuildSoftwarePackage();
  const download = useDownloadZip();
  const products = useProductIdentities();

  const input = toBuildInput(form, file);
  const problems = fieldProblems(input);
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
  const fillFromProduct = (id: string | null) => {
    const product = products.data?.items.find((p) => p.id === id);
    if (!product) return;
    const protocol = (softwareProtocols as readonly string[]).includes(product.protocolType)
      ? product.protocolType
      : '';
    setForm((f) => ({
      ...f,
      deviceType: product.deviceType,
      manufacturerName: product.manufacturerName,
      model: product.model,
      protocolType: protocol,
    }));
    setEdited((e) => new Set([...e, 'deviceType', 'manufacturerName', 'model', 'protocolType']));
  };
  const serverField =
    build.error instanceof ApiClientError && build.error.path?.startsWith('body.')
      ? build.error.path.slice('body.'.length)
      : undefined;

  return (
    <Stack gap="md">
      <Card withBorder padding="md">
        <Stack gap="md">
          <Select
            label={t('packages.builder.fromProduct')}
            description={t('packages.builder.fromProductHint')}
            placeholder={
              products.data?.items.length === 0 ? t('packages.builder.noProducts') : t('packages.builder.pickProduct')
            }
            data={(products.data?.items ?? []).map((p) => ({
              value: p.id,
              label: `${p.deviceType} · ${p.manufacturerName} · ${p.model} · ${p.protocolType}`,
            }))}
            onChange={fillFromProduct}
            searchable
            clearable
            data-testid="builder-product"
          />
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <TextInput
              label={t('packages.builder.version')}
              required
              placeholder="V1.1"
              value={form.version}
              onChange={(e) => set('version')(e.currentTarget.value)}
              error={errorOf('version')}
            />
            <Select
              label={t('packages.builder.protocol')}
              required
              data={softwareProtocols.map((p) => ({ value: p, label: p }))}
              value={form.protocolType === '' ? null : form.protocolType}
              onChange={(v) => set('protocolType')(v ?? '')}
              error={errorOf('protocolType')}
            />
            <TextInput
              label={t('packages.builder.deviceType')}
              required
              placeholder="WaterMeter"
              value={form.deviceType}
              onChange={(e) => set('deviceType')(e.currentTarget.value)}
              error={errorOf('deviceType')}
            />
            <TextInput
              label={t('packages.builder.manufacturer')}
              required
              placeholder="HZYB"
              value={form.manufacturerName}
              onChange={(e) => set('manufacturerName')(e.currentTarget.value)}
              error={errorOf('manufacturerName')}
            />
            <TextInput
              label={t('packages.builder.model')}
              required
              placeholder="NBIoTDevice"
              value={form.model}
              onChange={(e) => set('model')(e.currentTarget.value)}
              error={errorOf('model')}
            />
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
          </SimpleGrid>
          <TextInput
            label={t('packages.builder.sourceVersions')}
            description={t('packages.builder.sourceVersionsHint')}
            placeholder="V1.0.*;V0.9"
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            value={form.supportSourceVersionList}
            onChange={(e) => set('supportSourceVersionList')(e.currentTarget.value)}
            error={errorOf('supportSourceVersionList')}
          />
          <Textarea
            label={t('packages.builder.description')}
            autosize
            minRows={2}
            value={form.description}
            onChange={(e) => set('description')(e.currentTarget.value)}
            error={errorOf('description')}
          />
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
      {build.data && (
        <Alert color="teal" variant="light" title={t('packages.builder.built')} data-testid="build-result">
          <Stack gap="xs">
            <Group gap={4}>
              <Text size="xs">{t('packages.builder.output')}</Text>
              <CopyableValue value={build.data.outputPath} label={t('packages.builder.output')} size="xs" />
            </Group>
            <Text size="xs">{t('packages.builder.entries', { bytes: build.data.bytes })}</Text>
            <Stack gap={0}>
              {build.data.entries.map((entry) => (
                <Text key={entry} size="xs" ff="monospace">
                  {entry}
                </Text>
              ))}
            </Stack>
            <Group gap="xs" mt="xs">
              <Button
                size="xs"
                leftSection={<IconSignature size={14} />}
                onClick={() => void navigate(`/signing/sign?path=${encodeURIComponent(build.data.outputPath)}`)}
                data-testid="sign-built"
              >
                {t('packages.builder.signIt')}
              </Button>
              <Button
                size="xs"
                variant="default"
                leftSection={<IconDownload size={14} />}
                onClick={() => download.mutate(build.data.outputPath)}
                loading={download.isPending}
              >
                {t('packages.builder.download')}
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}
