// Types for boundaries.mjs (plain JavaScript, because eslint.config.mjs loads it without a compiler).
export interface FolderEdges {
  allow: readonly string[];
  denyPackages: readonly string[];
}
export declare const EDGES: Record<'score' | 'protocol' | 'conductor' | 'language-server' | 'extension' | 'cli', FolderEdges>;
export declare const plugin: unknown;
export declare const boundaryConfigs: unknown[];
