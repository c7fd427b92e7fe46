// Where a file comes from: dropped or picked in the browser (sent to the core's work area) or a path on this
// machine. Either way the rest of the page works with a path on the core machine.
import { Alert, Button, Group, Paper, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { IconFileZip, IconUpload } from '@tabler/icons-react';
import { useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { describeApiError } from '../../api/errorNotifications.js';
import { useUploadWorkFile } from './signingQueries.js';

export interface ChosenFile {
  path: string;
  /** What to call it on the page: the uploaded file's name or the path. */
  label: string;
}

export interface FileSourceProps {
  value: ChosenFile | undefined;
  onChange: (file: ChosenFile | undefined) => void;
  /** `accept` of the file picker, e.g. ".zip". */
  accept?: string;
  title: string;
  hint: string;
  error?: string;
  testId: string;
}

export function FileSource({ value, onChange, accept, title, hint, error, testId }: FileSourceProps) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'upload' | 'path'>(value && value.label === value.path ? 'path' : 'upload');
  const [dragging, setDragging] = useState(false);
  const [typed, setTyped] = useState(value?.label === value?.path ? (value?.path ?? '') : '');
  const input = useRef<HTMLInputElement>(null);
  const upload = useUploadWorkFile();

  const send = (file: File | undefined) => {
    if (!file) return;
    onChange(undefined);
    upload.mutate(file, { onSuccess: (stored) => onChange({ path: stored.path, label: stored.name }) });
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    send(event.dataTransfer.files[0]);
  };

  return (
    <Stack gap="xs" data-testid={testId}>
      <Group justify="space-between">
        <Text fw={500} size="sm">
          {title}
        </Text>
        <SegmentedControl
          size="xs"
          value={mode}
          onChange={(m) => setMode(m)}
          data={[
            { value: 'upload', label: t('signing.file.fromBrowser') },
            { value: 'path', label: t('signing.file.fromPath') },
          ]}
        />
      </Group>
      {mode === 'upload' ? (
        <Paper
          withBorder
          p="md"
          radius="md"
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          style={{
            borderStyle: 'dashed',
            borderColor: error ? 'var(--mantine-color-red-6)' : dragging ? 'var(--mantine-color-blue-5)' : undefined,
            background: dragging ? 'var(--mantine-color-blue-light)' : undefined,
          }}
        >
          <Group justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap" miw={0}>
              <IconFileZip size={26} stroke={1.5} aria-hidden />
              <Stack gap={0} miw={0}>
                <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }} data-testid={`${testId}-chosen`}>
                  {value ? value.label : t('signing.file.dropHere')}
                </Text>
                <Text size="xs" c="dimmed">
                  {hint}
                </Text>
              </Stack>
            </Group>
            <Button
              variant="light"
              leftSection={<IconUpload size={16} />}
              style={{ flexShrink: 0 }}
              loading={upload.isPending}
              onClick={() => input.current?.click()}
            >
              {t('signing.file.choose')}
            </Button>
          </Group>
          <input
            ref={input}
            type="file"
            accept={accept}
            hidden
            aria-label={title}
            data-testid={`${testId}-input`}
            onChange={(e) => {
              send(e.currentTarget.files?.[0]);
              e.currentTarget.value = '';
            }}
          />
        </Paper>
      ) : (
        <TextInput
          aria-label={title}
          placeholder={t('signing.file.pathPlaceholder')}
          description={hint}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          value={typed}
          onChange={(e) => {
            const path = e.currentTarget.value;
            setTyped(path);
            onChange(path.trim() === '' ? undefined : { path: path.trim(), label: path.trim() });
          }}
          data-testid={`${testId}-path`}
        />
      )}
      {error !== undefined && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
      {upload.isError && (
        <Alert color="red" variant="light" title={describeApiError(upload.error).title} role="alert">
          {describeApiError(upload.error).message}
        </Alert>
      )}
    </Stack>
  );
}
