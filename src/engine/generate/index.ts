/** Generation of QA pairs from workspace documents: the API shared by `spantune generate` and the extension. */
export { discoverFiles, DEFAULT_MAX_FILE_SIZE, GENERATED_FOLDERS, type DiscoverOptions, type DiscoveryResult } from './discover';
export { generateFromFiles, passagesOf, pairsForPassage, resolveOptions, DEFAULT_MAX_PASSAGE_CHARS, DEFAULT_MAX_PER_PASSAGE } from './generate';
export type { Passage } from './passages';
export * from './types';
