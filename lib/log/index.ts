import pino from "pino";
import { readRawEnv } from "../config/raw-env";
import { currentRequestId } from "../core/request-context";

/**
 * The one logger. Fixed message text, variable parts in fields. Secrets are redacted by the logger
 * itself, whatever the caller passes.
 */
/** Field names whose values are secrets, in every spelling porter or its libraries use. */
const SECRET_FIELDS = [
  "authorization",
  "cookie",
  '["set-cookie"]',
  "password",
  "secret",
  "token",
  "client_secret",
  "clientSecret",
  "client_assertion",
  "clientAssertion",
  "id_token",
  "idToken",
  "access_token",
  "accessToken",
  "refresh_token",
  "refreshToken",
  "logout_token",
  "logoutToken",
  "dpop",
  "DPoP",
  "privateKey",
  "private_key",
  "oktaApiToken",
  "oktaServiceApp",
  "eventHookSecret",
  "authSecret",
];

/** Each secret field at the top of a log line and up to three objects deep (`headers.authorization`, `err.request.headers.authorization`). */
export const REDACT_PATHS = SECRET_FIELDS.flatMap((field) => {
  const key = (prefix: string) => (field.startsWith("[") ? `${prefix}${field}` : prefix ? `${prefix}.${field}` : field);
  return [key(""), key("*"), key("*.*"), key("*.*.*")];
});

const globalKey = Symbol.for("porter.logger");
type WithLogger = typeof globalThis & { [globalKey]?: pino.Logger };

/** A logger writing to `destination` (standard output by default); tests pass a stream to read what was written. */
export function createLogger(destination?: pino.DestinationStream): pino.Logger {
  const options: pino.LoggerOptions = {
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
  };
  return destination ? pino(options, destination) : pino(options);
}

export const logger: pino.Logger = ((globalThis as WithLogger)[globalKey] ??= createLogger());
