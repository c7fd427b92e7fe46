// Try a command: command JSON in, the bytes the codec (or the unsaved draft) encodes it to out, kept as a downlink sample.
import { Alert, Button, Code, Group, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconPlayerPlay } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { codecCommandSchema, type CodecCommand, type CodecDraft } from '../../../core/contract/index.js';
import { ErrorState } from '../../ui/QueryStates.js';
import { useAddSample, useTryEncode } from './codecQueries.js';

type ParsedCommand = { ok: true; command: CodecCommand } | { ok: false; message: string } | undefined;

function parseCommand(text: string): ParsedCommand {
  if (!text.trim()) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const parsed = codecCommandSchema.safeParse(json);
  if (parsed.success) return { ok: true, command: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, message: `${(issue?.path ?? []).join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
}

/** Bytes as spaced hex pairs, easier to compare by eye. */
const spaced = (hex: string) => hex.replace(/(..)(?=.)/g, '$1 ');

export function TryEncodePanel({ productId, draft }: { productId: string; draft: CodecDraft | undefined }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const parsed = useMemo(() => parseCommand(text), [text]);
  const tryEncode = useTryEncode(productId);
  const addSample = useAddSample(productId);
  const encoded = tryEncode.data?.encode;
  const command = parsed?.ok ? parsed.command : undefined;

  return (
    <Paper withBorder p="sm">
      <Stack gap="xs">
        <Title order={4} size="h5">
          {t('codecs.encodeTitle')}
        </Title>
        <Textarea
          label={t('codecs.commandInput')}
          placeholder='{"serviceId": "WaterMeterBasic", "name": "SET_DEVICE_LEVEL", "paras": {"value": "silent"}, "mid": 1}'
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            tryEncode.reset();
            addSample.reset();
          }}
          autosize
          minRows={3}
          maxRows={10}
          ff="monospace"
          data-testid="codec-try-command"
          error={parsed && !parsed.ok ? t('codecs.commandInvalid', { message: parsed.message }) : undefined}
        />
        <Group justify="flex-end">
          <Button
            leftSection={<IconPlayerPlay size={14} />}
            loading={tryEncode.isPending}
            disabled={!command}
            onClick={() => command && tryEncode.mutate({ command, ...(draft ? { draft } : {}) })}
          >
            {t('codecs.encode')}
          </Button>
        </Group>
        {tryEncode.error && <ErrorState error={tryEncode.error} />}
        {encoded && !encoded.ok && (
          <Alert color="red" variant="light" title={encoded.error.code} data-testid="codec-encode-error">
            <Text size="sm">{encoded.error.message}</Text>
          </Alert>
        )}
        {encoded?.ok && command && (
          <>
            <Code block data-testid="codec-encode-result">
              {spaced(encoded.hex) || t('codecs.noBytes')}
            </Code>
            {addSample.isSuccess ? (
              <Text size="sm" c="green" data-testid="codec-encode-kept">
                {t('codecs.keptAsSample', { name: addSample.data.name })}
              </Text>
            ) : (
              <Group gap="xs" align="flex-end">
                <TextInput
                  label={t('codecs.sampleName')}
                  value={name}
                  onChange={(e) => setName(e.currentTarget.value)}
                  style={{ flex: 1 }}
                />
                <Button
                  variant="light"
                  data-testid="codec-encode-keep"
                  loading={addSample.isPending}
                  onClick={() =>
                    addSample.mutate({
                      direction: 'downlink',
                      name: name.trim() || `${command.name}, mid ${command.mid}`,
                      command,
                      expectedHex: encoded.hex,
                    })
                  }
                >
                  {t('codecs.keepAsSample')}
                </Button>
              </Group>
            )}
            {addSample.error && <ErrorState error={addSample.error} />}
          </>
        )}
      </Stack>
    </Paper>
  );
}
