// Types of bench/generate-content.mjs for the TypeScript that imports it (tests/build/worker-content.test.ts).
export function random(seed: number): () => number;
export function body(rand: () => number, words: number): string;
export function generateContent(n: number, outDir?: string, options?: { membersOnlyEvery?: number }): string;
