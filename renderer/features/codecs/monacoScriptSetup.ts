// Loaded lazily (dynamic import) so Monaco stays out of the main bundle: the codec entry-point types for scripts.
import { monaco } from '../../ui/monaco.js';
import { codecEntryPointTypes } from './codecTemplates.js';

monaco.typescript.javascriptDefaults.setCompilerOptions({
  target: monaco.typescript.ScriptTarget.ES5,
  allowNonTsExtensions: true,
  checkJs: true,
  noLib: false,
  lib: ['es5'],
});
// Hints, not nagging: ES5 codec scripts have untyped parameters by nature.
monaco.typescript.javascriptDefaults.setDiagnosticsOptions({
  noSemanticValidation: false,
  noSyntaxValidation: false,
  noSuggestionDiagnostics: true,
});
monaco.typescript.javascriptDefaults.addExtraLib(codecEntryPointTypes, 'ts:iot-workbench/codec-entry-points.d.ts');

export { monaco };
