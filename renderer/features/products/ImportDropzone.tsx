// Drop a profile zip here or pick one; a refusal shows the file inside the zip and the JSON path at fault.
import { Alert, Code, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiClientError } from '../../api/client.js';
import { FileDropzone } from '../../ui/FileDropzone.js';
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
  const [fileName, setFileName] = useState<string>();
  const importProduct = useImportProduct();

  const start = (file: File) => {
    setFileName(file.name);
    importProduct.mutate(file, { onSuccess: (product) => void navigate(`/products/${product.id}`) });
  };

  return (
    <Stack gap="xs">
      <FileDropzone
        onFile={start}
        title={t('products.import.title')}
        hint={t('products.import.hint')}
        chooseLabel={t('products.import.choose')}
        accept=".zip,application/zip"
        loading={importProduct.isPending}
        p={compact ? 'sm' : 'lg'}
        testId="import-dropzone"
        inputTestId="import-file-input"
      />
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
