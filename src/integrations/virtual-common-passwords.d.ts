// Types for the module src/integrations/common-passwords.ts generates at build and test time.
declare module "virtual:common-passwords" {
  /** The common passwords, lower-cased and sorted, front-coded (decode with @zxcvbn-ts/dictionary-compression/decompress). */
  const encoded: string;
  export default encoded;
  /** How many passwords the list holds. */
  export const COUNT: number;
}
