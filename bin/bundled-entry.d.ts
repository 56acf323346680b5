/** Types of bundled-entry.js, for the tests that drive it. */
export declare function importEntry(root: string, entry: string, cacheDir?: string): Promise<Record<string, unknown>>;
