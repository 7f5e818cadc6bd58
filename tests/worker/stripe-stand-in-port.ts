// The port of the Stripe stand-in that the worker tests start (the browser tests use 12111, see test-env.ts).
export const WORKER_STAND_IN_PORT = 12112;
