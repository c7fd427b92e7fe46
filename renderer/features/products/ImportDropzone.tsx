// Drop a profile zip here or pick one; a refusal shows the file inside the zip and the JSON path at fault.
import { Alert, Button, Code, Group, Paper, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconFileZip, IconUpload } from '@tabler/icons-react';
import { useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiClientError } from '../../api/client.js';
import { importErrorLocation, useImportProduct } from './productQueries.js';

export function ImportError({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const { file, path } = importErrorLocation(error);
  const code = error instanceof ApiClientError ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={t('products.import.failedTitle', { code: code ?? '' })}
      role="alert"
      data-testid="import-error"
    >
      <Stack gap={4}>
        {file !== undefined && (
          <Text size="sm">
            {t('products.import.file')} <Code data-testid="import-error-file">{file}</Code>
          </Text>
        )}
        {path !== undefined && (
          <Text size="sm">
            {t('products.import.path')} <Code data-testid="import-error-path">{path}</Code>
          </Text>
        )}
        <Text size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="import-error-message">
          {file !== undefined && message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message}
        </Text>
      </Stack>
    </Alert>
  );
}

export function ImportDropzone({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [fileName, setFileName] = useState<string>();
  const importProduct = useImportProduct();

  const start = (file: File | undefined) => {
    if (!file) return;
    setFileName(file.name);
    importProduct.mutate(file, { onSuccess: (product) => void navigate(`/products/${product.id}`) });
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    start(event.dataTransfer.files[0]);
  };

  return (
    <Stack gap="xs">
      <Paper
        withBorder
        p={compact ? 'sm' : 'lg'}
        radius="md"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        style={{
          borderStyle: 'dashed',
          borderColor: dragging ? 'var(--mantine-color-blue-5)' : undefined,
          background: dragging ? 'var(--mantine-color-blue-light)' : undefined,
        }}
        data-testid="import-dropzone"
      >
        <Group justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <IconFileZip size={28} stroke={1.5} aria-hidden />
            <Stack gap={0}>
              <Text fw={500}>{t('products.import.title')}</Text>
              <Text size="sm" c="dimmed">
                {t('products.import.hint')}
              </Text>
            </Stack>
          </Group>
          <Button
            variant="light"
            leftSection={<IconUpload size={16} />}
            loading={importProduct.isPending}
            onClick={() => input.current?.click()}
          >
            {t('products.import.choose')}
          </Button>
        </Group>
        <input
          ref={input}
          type="file"
          accept=".zip,application/zip"
          hidden
          aria-label={t('products.import.choose')}
          data-testid="import-file-input"
          onChange={(e) => {
            start(e.currentTarget.files?.[0]);
            e.currentTarget.value = '';
          }}
        />
      </Paper>
      {importProduct.isError && (
        <Stack gap={4}>
          {fileName !== undefined && (
            <Text size="xs" c="dimmed">
              {t('products.import.fileName', { name: fileName })}
            </Text>
          )}
          <ImportError error={importProduct.error} />
        </Stack>
      )}
    </Stack>
  );
}
