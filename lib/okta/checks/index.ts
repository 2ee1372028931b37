export { startChecks, CHECKS, CHECK_TIMEOUT_MS } from "./run-checks";
export { CHECK_IDS, type CheckId, type CheckResult, type CheckStatus, type SignInSample } from "./types";
