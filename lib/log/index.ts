import pino from "pino";
import { readRawEnv } from "../config/raw-env";
import { currentRequestId } from "../core/request-context";

/**
 * The one logger. Fixed message text, variable parts in fields. Secrets are redacted by the logger
 * itself, whatever the caller passes.
 */
export const REDACT_PATHS = [
  "authorization",
  "cookie",
  "password",
  "client_secret",
  "clientSecret",
  "id_token",
  "access_token",
  "refresh_token",
  "*.authorization",
  "*.cookie",
  "*.password",
  "*.client_secret",
  "*.clientSecret",
  "*.id_token",
  "*.access_token",
  "*.refresh_token",
  "*.idToken",
  "oktaApiToken",
  "*.oktaApiToken",
  "oktaServiceApp",
  "*.oktaServiceApp",
  "authSecret",
  "*.authSecret",
  "headers.authorization",
  "headers.cookie",
];

const globalKey = Symbol.for("porter.logger");
type WithLogger = typeof globalThis & { [globalKey]?: pino.Logger };

function createLogger(): pino.Logger {
  return pino({
    level: readRawEnv("LOG_LEVEL") ?? "info",
    // PORTER_NODE names this process among several app nodes (demo:cluster sets eu-1, eu-2, ...).
    base: { app: "porter", ...(readRawEnv("PORTER_NODE") ? { node: readRawEnv("PORTER_NODE") } : {}) },
    // Every line written while serving a request carries its id (the proxy's X-Request-Id).
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export const logger: pino.Logger = ((globalThis as WithLogger)[globalKey] ??= createLogger());
