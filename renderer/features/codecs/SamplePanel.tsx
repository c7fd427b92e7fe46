// Try a frame, keep it as a sample, and run every sample (pass/fail with a diff).
import { Alert, Badge, Button, Code, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconPlayerPlay, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CodecDraft, DecodeResult, SampleRun } from '../../../core/contract/index.js';
import { LoadingState, ErrorState } from '../../ui/QueryStates.js';
import { useAddSample, useCodecSamples, useDeleteSample, useRunSamples, useTryDecode } from './codecQueries.js';
import { TryEncodePanel } from './TryEncodePanel.js';

function DecodeOutcome({ result }: { result: DecodeResult }) {
  const { t } = useTranslation();
  if (!result.ok) {
    return (
      <Alert color="red" variant="light" title={result.error.code} data-testid="codec-try-error">
        <Text size="sm">{result.error.message}</Text>
        <Text size="xs" c="dimmed" ff="monospace">
          {t('codecs.rawFrame')}: {result.raw || '—'}
        </Text>
      </Alert>
    );
  }
  return (
    <Stack gap={4}>
      <Code block data-testid="codec-try-result">
        {JSON.stringify(result.message, null, 2)}
      </Code>
      {result.issues.map((issue, i) => (
        <Text key={i} size="xs" c={issue.severity === 'error' ? 'red' : 'orange'}>
          {issue.severity === 'error' ? t('codecs.issueError') : t('codecs.issueWarning')} {issue.code}: {issue.message}
        </Text>
      ))}
    </Stack>
  );
}

function RunBadge({ run }: { run: SampleRun | undefined }) {
  const { t } = useTranslation();
  if (!run)
    return (
      <Badge color="gray" variant="light">
        {t('codecs.notRun')}
      </Badge>
    );
  return run.pass ? (
    <Badge color="green" variant="light">
      {t('codecs.pass')}
    </Badge>
  ) : (
    <Badge color="red" variant="filled">
      {t('codecs.fail')}
    </Badge>
  );
}

export function SamplePanel({ productId, draft }: { productId: string; draft: CodecDraft | undefined }) {
  const { t } = useTranslation();
  const samples = useCodecSamples(productId);
  const tryDecode = useTryDecode(productId);
  const runAll = useRunSamples(productId);
  const addSample = useAddSample(productId);
  const deleteSample = useDeleteSample(productId);
  const [hex, setHex] = useState('');
  const [topic, setTopic] = useState('');
  const [name, setName] = useState('');
  const runs = new Map((runAll.data?.results ?? []).map((r) => [r.sampleId, r]));
  const decoded = tryDecode.data?.decode;

  return (
    <Stack gap="md">
      <Paper withBorder p="sm">
        <Stack gap="xs">
          <Title order={4} size="h5">
            {t('codecs.tryTitle')}
          </Title>
          <Group gap="xs" align="flex-end">
            <TextInput
              label={t('codecs.hexInput')}
              placeholder="01 00 BC 61 4E"
              value={hex}
              onChange={(e) => setHex(e.currentTarget.value)}
              style={{ flex: 1 }}
              ff="monospace"
              data-testid="codec-try-hex"
            />
            <TextInput
              label={t('codecs.topic')}
              placeholder={t('codecs.topicPlaceholder')}
              value={topic}
              onChange={(e) => setTopic(e.currentTarget.value)}
              w={160}
            />
            <Button
              leftSection={<IconPlayerPlay size={14} />}
              loading={tryDecode.isPending}
              disabled={!/^\s*([0-9a-fA-F]{2}\s*)+$/.test(hex)}
              onClick={() => tryDecode.mutate({ hex, ...(topic ? { topic } : {}), ...(draft ? { draft } : {}) })}
            >
              {t('codecs.decode')}
            </Button>
          </Group>
          {!/^\s*([0-9a-fA-F]{2}\s*)*$/.test(hex) && (
            <Text size="xs" c="red">
              {t('codecs.hexInvalid')}
            </Text>
          )}
          {tryDecode.error && <ErrorState error={tryDecode.error} />}
          {decoded && <DecodeOutcome result={decoded} />}
          {decoded?.ok && (
            <Group gap="xs" align="flex-end">
              <TextInput
                label={t('codecs.sampleName')}
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                style={{ flex: 1 }}
              />
              <Button
                variant="light"
                loading={addSample.isPending}
                onClick={() =>
                  addSample.mutate({
                    direction: 'uplink',
                    name: name || t('codecs.sampleDefaultName', { n: (samples.data?.samples.length ?? 0) + 1 }),
                    hex: decoded.raw,
                    ...(topic ? { topic } : {}),
                    expected: decoded.message,
                  })
                }
              >
                {t('codecs.keepAsSample')}
              </Button>
            </Group>
          )}
        </Stack>
      </Paper>

      <TryEncodePanel productId={productId} draft={draft} />

      <Paper withBorder p="sm">
        <Stack gap="xs">
          <Group justify="space-between">
            <Title order={4} size="h5">
              {t('codecs.samplesTitle')}
            </Title>
            <Group gap="xs">
              {runAll.data && (
                <Text size="sm" data-testid="codec-run-summary" c={runAll.data.failed ? 'red' : 'green'}>
                  {t('codecs.runSummary', { passed: runAll.data.passed, failed: runAll.data.failed })}
                </Text>
              )}
              <Button
                size="xs"
                leftSection={<IconPlayerPlay size={14} />}
                loading={runAll.isPending}
                disabled={!samples.data?.samples.length}
                onClick={() => runAll.mutate(draft)}
              >
                {t('codecs.runAll')}
              </Button>
            </Group>
          </Group>
          {samples.isPending && <LoadingState />}
          {samples.error && <ErrorState error={samples.error} onRetry={() => void samples.refetch()} />}
          {samples.data?.samples.length === 0 && (
            <Text size="sm" c="dimmed">
              {t('codecs.noSamples')}
            </Text>
          )}
          {!!samples.data?.samples.length && (
            <Table verticalSpacing={4} data-testid="codec-samples">
              <Table.Tbody>
                {samples.data.samples.map((s) => {
                  const run = runs.get(s.id);
                  return (
                    <Table.Tr key={s.id}>
                      <Table.Td>
                        <Text size="sm">{s.name}</Text>
                        <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                          {s.direction === 'uplink' ? `↑ ${s.hex}` : `↓ ${s.command.name} → ${s.expectedHex}`}
                        </Text>
                        {run && !run.pass && (
                          <Stack gap={2} mt={4}>
                            {run.error && (
                              <Text size="xs" c="red">
                                {run.error.code}: {run.error.message}
                              </Text>
                            )}
                            {run.diff.map((d, i) => (
                              <Text key={i} size="xs" ff="monospace" c="red" style={{ overflowWrap: 'anywhere' }}>
                                {d.path}: {t('codecs.expected')} {JSON.stringify(d.expected)} · {t('codecs.actual')}{' '}
                                {JSON.stringify(d.actual)}
                              </Text>
                            ))}
                          </Stack>
                        )}
                      </Table.Td>
                      <Table.Td w={80}>
                        <RunBadge run={run} />
                      </Table.Td>
                      <Table.Td w={36}>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          aria-label={t('codecs.deleteSample')}
                          onClick={() => deleteSample.mutate(s.id)}
                        >
                          <IconTrash size={14} />
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      </Paper>
    </Stack>
  );
}
