// Monaco for codec scripts (JavaScript, with the entry-point types as hints), loaded on first use.
import { Box, useComputedColorScheme } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import type * as Monaco from 'monaco-editor';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';

type MonacoModule = typeof Monaco;

let loading: Promise<MonacoModule> | undefined;
function loadMonaco(): Promise<MonacoModule> {
  loading ??= import('./monacoScriptSetup.js').then((m) => m.monaco);
  return loading;
}

export function ScriptEditor({
  uri,
  value,
  onChange,
}: {
  uri: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const [monaco, setMonaco] = useState<MonacoModule>();
  const [loadError, setLoadError] = useState<unknown>();
  const editor = useRef<Monaco.editor.IStandaloneCodeEditor>(undefined);
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  });
  const scheme = useComputedColorScheme('light');

  useEffect(() => {
    loadMonaco().then(setMonaco, setLoadError);
  }, []);

  useEffect(() => {
    if (!monaco || !host.current) return;
    const model = monaco.editor.createModel(value, 'javascript', monaco.Uri.parse(uri));
    const instance = monaco.editor.create(host.current, {
      model,
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      scrollBeyondLastLine: false,
      tabSize: 2,
    });
    editor.current = instance;
    const subscription = instance.onDidChangeModelContent(() => onChangeRef.current(instance.getValue()));
    return () => {
      subscription.dispose();
      instance.dispose();
      model.dispose();
      editor.current = undefined;
    };
    // One editor per document; later value changes come from the editor itself or a version switch below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [monaco, uri]);

  useEffect(() => {
    const instance = editor.current;
    if (instance && instance.getValue() !== value) instance.setValue(value);
  }, [value]);

  useEffect(() => {
    monaco?.editor.setTheme(scheme === 'dark' ? 'vs-dark' : 'vs');
  }, [monaco, scheme]);

  if (loadError) return <ErrorState error={loadError} />;
  return (
    <Box pos="relative" h={520} style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }}>
      {!monaco && <LoadingState />}
      <div ref={host} data-testid="codec-script-editor" style={{ position: 'absolute', inset: 0 }} />
    </Box>
  );
}
