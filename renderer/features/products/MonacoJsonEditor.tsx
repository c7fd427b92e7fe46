// A Monaco JSON editor with a JSON Schema (completions and type errors inline) and extra markers from the core's rules.
import { Box, useComputedColorScheme } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import type * as Monaco from 'monaco-editor';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { locateJsonPath } from './jsonLocator.js';

type MonacoModule = typeof Monaco;

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
  const host = useRef<HTMLDivElement>(null);
  const [monaco, setMonaco] = useState<MonacoModule>();
  const [loadError, setLoadError] = useState<unknown>();
  const editor = useRef<Monaco.editor.IStandaloneCodeEditor>(undefined);
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);
  const scheme = useComputedColorScheme('light');

  useEffect(() => {
    loadMonaco().then(setMonaco, setLoadError);
  }, []);

  useEffect(() => {
    if (!monaco || !host.current) return;
    monaco.json.jsonDefaults.setDiagnosticsOptions({
      validate: true,
      allowComments: false,
      schemas: [{ uri: 'https://iot-workbench.local/schemas/product-model.json', fileMatch: [uri], schema }],
    });
    const model = monaco.editor.createModel(value, 'json', monaco.Uri.parse(uri));
    const instance = monaco.editor.create(host.current, {
      model,
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      scrollBeyondLastLine: false,
      tabSize: 2,
      readOnly,
    });
    editor.current = instance;
    const subscription = instance.onDidChangeModelContent(() => onChangeRef.current(instance.getValue()));
    return () => {
      subscription.dispose();
      instance.dispose();
      model.dispose();
      editor.current = undefined;
    };
    // The editor is created once per document; later value changes come from the editor itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [monaco, uri]);

  useEffect(() => {
    const instance = editor.current;
    if (instance && instance.getValue() !== value) instance.setValue(value);
  }, [value]);

  useEffect(() => {
    editor.current?.updateOptions({ readOnly });
  }, [readOnly]);

  useEffect(() => {
    monaco?.editor.setTheme(scheme === 'dark' ? 'vs-dark' : 'vs');
  }, [monaco, scheme]);

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
  }, [monaco, findings]);

  if (loadError) return <ErrorState error={loadError} />;
  return (
    <Box pos="relative" style={{ border: '1px solid var(--mantine-color-default-border)' }}>
      {!monaco && <LoadingState />}
      <div ref={host} style={{ height, display: monaco ? 'block' : 'none' }} data-testid="monaco-host" />
    </Box>
  );
}
