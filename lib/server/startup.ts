import { applySeedOnce, readSeedFile } from "../rules";
import { organizationIdFor } from "../organizations";
import { applyPendingOktaEvents, oktaEventsContext } from "../live-groups";
import { startBackgroundWork } from "./background";
import { ConfigError, getConfig, readRawEnv } from "../config";
import { isServedByPorter } from "../core/request-context";
import { pruneSessions } from "../sessions/store";
import { isAppError } from "../core/app-error";
import { getDbHandle } from "../db";
import { logger } from "../log";
import { auditWriter } from "../audit";
import { syncConfiguredScimToken } from "../provisioning";
import { getOidcMetadata } from "../okta";

/**
 * Start-up: a bad environment stops the process with one line per problem; the database is opened and
 * migrated; each issuer's discovery is warmed in the background (an unreachable issuer does not stop
 * start-up: /api/health reports it and sign-in shows a clear page).
 */
export async function startServer(): Promise<void> {
  if (readRawEnv("NODE_ENV") === "production" && !isServedByPorter()) {
    // Next.js's own server cannot say who the client is: addresses in the audit log and the rate limits
    // would be unknown (or, worse, whatever a header claimed).
    console.error(
      "porter cannot start: run it with its own server (npm start, i.e. server/serve.ts), not next start: only porter's server knows each request's client address.",
    );
    process.exit(1);
  }
  let config;
  try {
    config = getConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  try {
    const handle = await getDbHandle();
    // Each deployment keeps the data of the organizations homed in its region.
    for (const connection of config.connections.filter((c) => c.region === config.region)) {
      const file = connection.seedFile ?? config.orgSeedFile;
      const seed = file ? await readSeedFile(file) : null;
      const organizationId = await organizationIdFor(handle.db, connection.name);
      // The SCIM token the environment names (the demo's) is one of the organization's tokens.
      await syncConfiguredScimToken(handle.db, organizationId, connection.scimToken);
      if (seed && (await applySeedOnce(handle.db, organizationId, seed))) {
        logger.info(
          { event: "seed_applied", connection: connection.name, file },
          "organization seeded from the seed file",
        );
      }
    }
    // Okta events stored but not yet applied when the process last stopped are applied now.
    for (const connection of config.connections.filter((c) => c.region === config.region)) {
      await applyPendingOktaEvents(handle.db, await oktaEventsContext(handle.db, connection));
    }
    // Audit events an earlier process kept in its spool while the database was away are written first.
    await auditWriter.recover();
    // Sessions that ended more than a day ago are deleted at each start, so the table stays bounded.
    await pruneSessions(handle.db);
    logger.info(
      {
        event: "startup",
        region: config.region,
        database: handle.kind,
        connections: config.connections.map((c) => c.name),
      },
      "porter started",
    );
  } catch (err) {
    if (isAppError(err)) {
      console.error(err.message);
    } else {
      logger.fatal({ err }, "database could not be opened");
    }
    process.exit(1);
  }
  startBackgroundWork(config);
  for (const connection of config.connections) {
    getOidcMetadata(connection.issuer).catch((err: unknown) => {
      logger.warn({ event: "discovery_failed", connection: connection.name, err }, "issuer discovery failed at start");
    });
  }
}
