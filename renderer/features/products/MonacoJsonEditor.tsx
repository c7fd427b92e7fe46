// A Monaco JSON editor with a JSON Schema (completions and type errors inline) and extra markers from the core's rules.
import { Box } from '@mantine/core';
import { useEffect } from 'react';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { useMonacoEditor, type MonacoModule } from '../../ui/useMonacoEditor.js';
import { locateJsonPath } from './jsonLocator.js';

export interface EditorFinding {
  severity: 'error' | 'warning';
  message: string;
  path: string;
}

let loading: Promise<MonacoModule> | undefined;
function loadMonaco(): Promise<MonacoModule> {
  loading ??= import('./monacoSetup.js').then((m) => m.monaco);
  return loading;
}

export function MonacoJsonEditor({
  uri,
  value,
  schema,
  findings,
  readOnly,
  onChange,
  height = 560,
}: {
  /** Identifies the document; the schema applies to it only. */
  uri: string;
  value: string;
  schema: Record<string, unknown>;
  findings: readonly EditorFinding[];
  readOnly: boolean;
  onChange: (value: string) => void;
  height?: number;
}) {
  const { host, monaco, loadError, editor } = useMonacoEditor({
    load: loadMonaco,
    uri,
    language: 'json',
    value,
    onChange,
    readOnly,
    beforeCreate: (m) =>
      m.json.jsonDefaults.setDiagnosticsOptions({
        validate: true,
        allowComments: false,
        schemas: [{ uri: 'https://iot-workbench.local/schemas/product-model.json', fileMatch: [uri], schema }],
      }),
  });

  useEffect(() => {
    const model = editor.current?.getModel();
    if (!monaco || !model) return;
    const text = model.getValue();
    const markers = findings.flatMap((finding) => {
      const span = locateJsonPath(text, finding.path);
      if (!span) return [];
      const start = model.getPositionAt(span.start);
      const end = model.getPositionAt(span.end);
      return [
        {
          severity: finding.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
          message: finding.message,
          startLineNumber: start.lineNumber,
          startColumn: start.column,
          endLineNumber: end.lineNumber,
          endColumn: end.column,
        },
      ];
    });
    monaco.editor.setModelMarkers(model, 'iotwb-product-rules', markers);
  }, [monaco, editor, findings]);

  if (loadError) return <ErrorState error={loadError} />;
  return (
    <Box pos="relative" style={{ border: '1px solid var(--mantine-color-default-border)' }}>
      {!monaco && <LoadingState />}
      <div ref={host} style={{ height, display: monaco ? 'block' : 'none' }} data-testid="monaco-host" />
    </Box>
  );
}
