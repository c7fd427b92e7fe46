// A product's codec: script (Monaco) or binary layout editor, live try-out and samples, versions, C export.
import { Alert, Button, Grid, Group, SegmentedControl, Stack, Text, Textarea } from '@mantine/core';
import { IconDeviceFloppy, IconDownload } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import {
  codecLayoutSchema,
  type Codec,
  type CodecDraft,
  type CodecKind,
  type CodecLayout,
} from '../../../core/contract/index.js';
import { PageHeader } from '../../ui/PageHeader.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { useCodec, useCSource, useInstallShippedCodec, useSaveCodec, useShippedCodecs } from './codecQueries.js';
import { newLayoutTemplate, newScriptTemplate } from './codecTemplates.js';
import { saveText } from '../../api/download.js';
import { LayoutEditor } from './LayoutEditor.js';
import { SamplePanel } from './SamplePanel.js';
import { ScriptEditor } from './ScriptEditor.js';
import { VersionsPanel } from './VersionsPanel.js';

function templateOf(kind: CodecKind): string {
  return kind === 'script' ? newScriptTemplate : JSON.stringify(newLayoutTemplate, null, 2);
}

function parseLayout(source: string): { layout?: CodecLayout; error?: string } {
  try {
    const parsed = codecLayoutSchema.safeParse(JSON.parse(source));
    if (parsed.success) return { layout: parsed.data };
    const issue = parsed.error.issues[0];
    return { error: `${(issue?.path ?? []).join('.') || '(root)'}: ${issue?.message ?? ''}` };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function StartCodec({ productId }: { productId: string }) {
  const { t } = useTranslation();
  const shipped = useShippedCodecs();
  const install = useInstallShippedCodec(productId);
  const save = useSaveCodec(productId);
  return (
    <EmptyState title={t('codecs.noCodecTitle')}>
      <Stack gap="sm" align="center">
        <Text size="sm" c="dimmed">
          {t('codecs.noCodecText')}
        </Text>
        <Group gap="xs" justify="center">
          {(shipped.data?.names ?? []).flatMap((name) =>
            (['script', 'layout'] as const).map((kind) => (
              <Button
                key={`${name}-${kind}`}
                variant="light"
                loading={install.isPending}
                onClick={() => install.mutate({ name, kind })}
              >
                {t('codecs.startFromSample', { name, kind: t(`codecs.kind_${kind}`) })}
              </Button>
            )),
          )}
          <Button variant="default" onClick={() => save.mutate({ kind: 'script', source: newScriptTemplate })}>
            {t('codecs.newScript')}
          </Button>
          <Button
            variant="default"
            onClick={() => save.mutate({ kind: 'layout', source: JSON.stringify(newLayoutTemplate, null, 2) })}
          >
            {t('codecs.newLayout')}
          </Button>
        </Group>
        {(install.error ?? save.error) && <ErrorState error={install.error ?? save.error} />}
      </Stack>
    </EmptyState>
  );
}

function CodecWorkspace({ codec }: { codec: Codec }) {
  const { t } = useTranslation();
  const active = codec.active;
  const [draft, setDraft] = useState<CodecDraft>({
    kind: active?.kind ?? 'script',
    source: active?.source ?? newScriptTemplate,
  });
  const save = useSaveCodec(codec.productId);
  const cSource = useCSource(codec.productId);

  const dirty = !active || draft.kind !== active.kind || draft.source !== active.source;
  const layout = useMemo(() => (draft.kind === 'layout' ? parseLayout(draft.source) : {}), [draft]);

  const generateC = async () => {
    const c = await cSource.mutateAsync();
    saveText(`${c.fileBase}.h`, c.header, 'text/x-c');
    saveText(`${c.fileBase}.c`, c.source, 'text/x-c');
  };

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <SegmentedControl
          data={[
            { value: 'script', label: t('codecs.kind_script') },
            { value: 'layout', label: t('codecs.kind_layout') },
          ]}
          value={draft.kind}
          onChange={(kind) => {
            const k = kind;
            setDraft(active?.kind === k ? { kind: k, source: active.source } : { kind: k, source: templateOf(k) });
          }}
        />
        <Group gap="xs">
          {dirty && (
            <Text size="sm" c="orange">
              {t('codecs.unsaved')}
            </Text>
          )}
          <Button
            leftSection={<IconDeviceFloppy size={16} />}
            disabled={!dirty || !!layout.error}
            loading={save.isPending}
            onClick={() => save.mutate(draft)}
          >
            {t('codecs.save')}
          </Button>
          <Button
            variant="default"
            leftSection={<IconDownload size={16} />}
            disabled={active?.kind !== 'layout'}
            title={active?.kind !== 'layout' ? t('codecs.generateCNeedsLayout') : undefined}
            loading={cSource.isPending}
            onClick={() => void generateC()}
          >
            {t('codecs.generateC')}
          </Button>
        </Group>
      </Group>
      {save.error && <ErrorState error={save.error} />}
      {cSource.error && <ErrorState error={cSource.error} />}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          {draft.kind === 'script' ? (
            <ScriptEditor
              uri={`file:///codecs/${codec.productId}/codec.js`}
              value={draft.source}
              onChange={(source) => setDraft({ kind: 'script', source })}
            />
          ) : layout.layout ? (
            <LayoutEditor
              layout={layout.layout}
              onChange={(next) => setDraft({ kind: 'layout', source: JSON.stringify(next, null, 2) })}
            />
          ) : (
            <Stack gap="xs">
              <Alert color="red" variant="light" title={t('codecs.layoutInvalid')}>
                {layout.error}
              </Alert>
              <Textarea
                autosize
                minRows={12}
                ff="monospace"
                value={draft.source}
                onChange={(e) => setDraft({ kind: 'layout', source: e.currentTarget.value })}
              />
            </Stack>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack gap="md">
            <SamplePanel productId={codec.productId} draft={dirty && !layout.error ? draft : undefined} />
            <VersionsPanel codec={codec} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

export function CodecPage() {
  const { t } = useTranslation();
  const { productId = '' } = useParams();
  const codec = useCodec(productId);
  return (
    <Stack gap="md">
      <PageHeader
        title={t('codecs.title')}
        description={
          <>
            {t('codecs.description')}{' '}
            <Link to={`/products/${encodeURIComponent(productId)}`}>{t('codecs.backToProduct')}</Link>
          </>
        }
      />
      {codec.isPending && <LoadingState />}
      {codec.error && <ErrorState error={codec.error} onRetry={() => void codec.refetch()} />}
      {codec.data === null && <StartCodec productId={productId} />}
      {/* A save or rollback changes the active version: the workspace starts over from it. */}
      {codec.data && <CodecWorkspace key={`${productId}@${codec.data.active?.version ?? 0}`} codec={codec.data} />}
    </Stack>
  );
}
