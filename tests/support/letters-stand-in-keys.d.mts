// Types for tests/support/letters-stand-in-keys.mjs.
export const STAND_IN_KEYS: { accessKeyId: string; secretAccessKey: string; region: string };
export const STAND_IN_TOPIC: string;
