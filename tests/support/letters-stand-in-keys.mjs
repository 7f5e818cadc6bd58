// The public test values the letters provider stand-in (tests/support/letters-provider-stand-in.mjs) and the tests
// that talk to it share: the SES keys and region it checks signatures with, and its SNS topic. Not secrets.
export const STAND_IN_KEYS = { accessKeyId: "AKIDLETTERSSTANDIN", secretAccessKey: "letters-stand-in-secret-key", region: "eu-west-2" };
export const STAND_IN_TOPIC = "arn:aws:sns:eu-west-2:000000000000:smallism-letters-events";
