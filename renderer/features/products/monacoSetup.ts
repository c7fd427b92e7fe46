// Loaded lazily (dynamic import) so Monaco stays out of the main bundle.
export { monaco } from '../../ui/monaco.js';
