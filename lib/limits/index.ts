import "server-only";

export { overLimit, tooManyRequests, tooManySignIns, type Limited } from "./limits";
export { pruneRateLimits, takeLimit, WINDOW_MS, type LimitCheck } from "./rate-limit";
export { spendTokenId } from "./spent-token-ids";
