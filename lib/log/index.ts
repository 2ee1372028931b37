import pino from "pino";
import { readRawEnv } from "../config/raw-env";

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
    base: { app: "porter" },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
  });
}

export const logger: pino.Logger = ((globalThis as WithLogger)[globalKey] ??= createLogger());
