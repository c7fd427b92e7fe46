// Where a file comes from: dropped or picked in the browser (sent to the core's work area) or a path on this
// machine. Either way the rest of the page works with a path on the core machine.
import { Alert, Group, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeApiError } from '../../api/errorNotifications.js';
import { FileDropzone } from '../../ui/FileDropzone.js';
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
  const [typed, setTyped] = useState(value?.label === value?.path ? (value?.path ?? '') : '');
  const upload = useUploadWorkFile();

  const send = (file: File) => {
    onChange(undefined);
    upload.mutate(file, { onSuccess: (stored) => onChange({ path: stored.path, label: stored.name }) });
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
        <FileDropzone
          onFile={send}
          title={value ? value.label : t('signing.file.dropHere')}
          hint={hint}
          chooseLabel={t('signing.file.choose')}
          inputLabel={title}
          accept={accept}
          loading={upload.isPending}
          invalid={Boolean(error)}
          size="sm"
          p="md"
          titleTestId={`${testId}-chosen`}
          inputTestId={`${testId}-input`}
        />
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
