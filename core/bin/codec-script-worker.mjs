// Entry of a codec sandbox worker thread when the core runs from TypeScript source (vitest, `iotwb serve`);
// bundled builds start dist/electron/codec-script-worker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('../codecs/script-worker.ts');
