// Types of bench/site.mjs for the TypeScript that imports it (tests/build/worker-content.test.ts).
export const ROOT: string;
export const TMP: string;
export const SITE: string;
export function prepareSiteCopy(site?: string): void;
export function run(command: string, args: string[], options?: { cwd?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<{ code: number | null; ms: number; output: string }>;
export function dirSize(dir: string): number;
export function workerFiles(dir: string): string[];
export function buildSite(options: { contentDir: string; outDir: string; devMailbox?: boolean }): Promise<Record<string, number>>;
