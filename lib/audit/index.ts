import "server-only";
import { getConfig, readRawEnv } from "../config";
import { getDb } from "../db";
import { logger } from "../log";
import { openSpool, spoolFile, type AuditSpool } from "./spool";
import type { AuditEvent } from "./events";
import { withRequestId } from "./write";
import { createAuditWriter, type AuditWriter } from "./writer";

export {
  AUDIT_EVENT_TYPES,
  accessDeniedEvent,
  actedBy,
  auditEvent,
  isAuditEventType,
  parseAuditEvent,
  REVOCATION_CAUSES,
  type AuditActor,
  type AuditDetails,
  type AuditEvent,
  type AuditEventBase,
  type AuditEventType,
  type ParsedAuditEvent,
  type RevocationCause,
  type RoleChangeCause,
  type SessionRejection,
} from "./events";
export { describeEvent, describeReason } from "./describe";
export { appendAuditEvent, appendAuditEvents, type AuditTx } from "./write";
export {
  listAuditEvents,
  iterateAuditEvents,
  parseAuditQuery,
  signInActivity,
  MAX_BUCKETS,
  type ActivityUnit,
  type AuditFilter,
  type AuditQuery,
} from "./queries";
export { verifyChain, verifyChainOnce, type ChainReport } from "./verify";
export { chainOf } from "./chain";

const globalKey = Symbol.for("porter.auditWriter");
type WithWriter = typeof globalThis & { [globalKey]?: AuditWriter };

/** The node's spool under the data folder; none for a throwaway in-memory database (tests). */
function nodeSpool(): AuditSpool | null {
  const { dataDir, database } = getConfig();
  if (database.kind === "pglite" && database.dataDir.startsWith("memory://")) return null;
  return openSpool(spoolFile(dataDir, readRawEnv("PORTER_NODE")));
}

/**
 * The process's writer for events with no change to commit with: retried until the database takes them,
 * kept meanwhile in the node's spool file so they survive a crash (lib/audit/spool.ts).
 */
export const auditWriter: AuditWriter = ((globalThis as WithWriter)[globalKey] ??= createAuditWriter({
  db: getDb,
  spool: nodeSpool,
  onError: (err, event) => {
    logger.error({ err, event: event.type, connection: event.connection }, "audit write failed; it will be retried");
  },
  onDeadLetter: (err, event, attempts) => {
    logger.error(
      { err, event: event.type, connection: event.connection, attempts },
      "audit event refused by the database again and again; set aside in the dead-letter file",
    );
  },
  onSpoolError: (err) => {
    logger.error({ err }, "audit spool cannot be opened; events that wait for the database are kept in memory only");
  },
  onDropped: (event, why) => {
    logger.error(
      { event: event.type, connection: event.connection, why },
      "audit event dropped: too many events are waiting for the database",
    );
  },
}));

/** Records a security event that has no change to commit with (a refusal, a denied page). Never throws. */
export function audit(event: AuditEvent): Promise<void> {
  return auditWriter.write(withRequestId(event));
}

/** For unauthenticated refusals anyone can send in bulk: aggregated per reason, address and minute. */
export function auditFlood(event: AuditEvent): Promise<void> {
  return auditWriter.writeAggregated(withRequestId(event));
}
