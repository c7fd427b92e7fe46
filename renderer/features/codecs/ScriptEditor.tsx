// Monaco for codec scripts (JavaScript, with the entry-point types as hints), loaded on first use.
import { Box } from '@mantine/core';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { useMonacoEditor, type MonacoModule } from '../../ui/useMonacoEditor.js';

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
  const { host, monaco, loadError } = useMonacoEditor({
    load: loadMonaco,
    uri,
    language: 'javascript',
    value,
    onChange,
  });
  if (loadError) return <ErrorState error={loadError} />;
  return (
    <Box pos="relative" h={520} style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }}>
      {!monaco && <LoadingState />}
      <div ref={host} data-testid="codec-script-editor" style={{ position: 'absolute', inset: 0 }} />
    </Box>
  );
}
