// The raw model as JSON in Monaco, checked against the model's JSON Schema and the core's rules while typing.
import { Alert, Code, List, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { productModelSchema, type ModelIssueView } from '../../../core/contract/index.js';
import { DraftSaveBar } from './DraftSaveBar.js';
import { MonacoJsonEditor } from './MonacoJsonEditor.js';
import { useModelValidation } from './productQueries.js';
import type { ProductTabProps } from './productTabs.js';
import { useModelDraft } from './useModelDraft.js';

let schemaCache: Record<string, unknown> | undefined;
function productModelJsonSchema(): Record<string, unknown> {
  schemaCache ??= z.toJSONSchema(productModelSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' });
  return schemaCache;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

export function RawModelTab({ product }: ProductTabProps) {
  const { t } = useTranslation();
  const initialText = useMemo(() => JSON.stringify(product.model, null, 2), [product.model]);
  const [text, setText] = useState(initialText);
  const draft = useModelDraft(product, { onSaved: (model) => setText(JSON.stringify(model, null, 2)) });
  const [settled] = useDebouncedValue(text, 300);
  const parsed = useMemo(() => parseJson(settled), [settled]);
  const changed = settled !== initialText;
  const validation = useModelValidation(parsed.ok ? parsed.value : null, parsed.ok && changed);
  const issues = changed ? (validation.data?.issues ?? []) : product.warnings;

  // What the save bar knows right now (not debounced): text that is not a model yet cannot be saved.
  const current = parseJson(text);
  const currentModel = current.ok ? productModelSchema.safeParse(current.value) : undefined;
  const blocking: ModelIssueView[] = !current.ok
    ? [{ severity: 'error', code: 'INVALID_JSON', message: current.message, path: '' }]
    : currentModel?.success === false
      ? [{ severity: 'error', code: 'INVALID_FIELD', message: currentModel.error.issues[0]?.message ?? '', path: '' }]
      : [];

  const onChange = (next: string) => {
    setText(next);
    const json = parseJson(next);
    const model = json.ok ? productModelSchema.safeParse(json.value) : undefined;
    if (model?.success) draft.setDraft(model.data);
  };

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        {t('products.raw.hint')}
      </Text>
      <DraftSaveBar
        draft={{
          ...draft,
          dirty: draft.dirty || text !== initialText,
          issues: [...blocking, ...(changed ? issues : [])],
          discard: () => {
            draft.discard();
            setText(initialText);
          },
        }}
      />
      <MonacoJsonEditor
        uri={`inmemory://products/${product.id}.json`}
        value={text}
        schema={productModelJsonSchema()}
        findings={issues}
        readOnly={draft.locked}
        onChange={onChange}
      />
      {!parsed.ok && (
        <Alert color="red" variant="light" data-testid="raw-parse-error">
          {parsed.message}
        </Alert>
      )}
      {issues.length > 0 && (
        <List size="sm" spacing={2} data-testid="raw-issues">
          {issues.map((issue) => (
            <List.Item key={`${issue.code}-${issue.path}`}>
              <Text span c={issue.severity === 'error' ? 'red' : 'yellow.8'} size="sm">
                <Code>{issue.path}</Code> {issue.message}
              </Text>
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}
