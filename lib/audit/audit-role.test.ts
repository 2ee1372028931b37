import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../../test/support/databases";
import { openDatabase, type DbHandle } from "../db/client";
import { ensureOrganization } from "../organizations/organizations";
import { auditEvent } from "./events";
import { verifyChain } from "./verify";
import { recordAuditEvents } from "./write";

/**
 * Review finding 10: the audit log's append-only promise needs a runtime role that cannot drop its
 * triggers. porter migrates as the tables' owner (DATABASE_MIGRATION_URL) and runs as a role that may only
 * read and add audit events. PostgreSQL only: the embedded database has one user.
 */
const postgres = testDatabases().find(([name]) => name === "postgres")?.[1];

describe.skipIf(!postgres)("porter as a role that may only read and add audit events (PostgreSQL)", () => {
  const role = `porter_runtime_${randomUUID().slice(0, 8)}`;
  let owner: DbHandle;
  let runtime: DbHandle;
  const url = (user: string) => {
    const u = new URL(postgres?.kind === "postgres" ? postgres.url : "postgres://x");
    u.username = user;
    return u.toString();
  };

  beforeAll(async () => {
    if (postgres?.kind !== "postgres") return;
    owner = await openDatabase(postgres);
    await owner.db.execute(sql.raw(`create role ${role} login`));
    await owner.db.execute(sql.raw(`grant usage on schema public, drizzle to ${role}`));
    await owner.db.execute(sql.raw(`grant select, insert, update, delete on all tables in schema public to ${role}`));
    await owner.db.execute(sql.raw(`grant usage, select on all sequences in schema public to ${role}`));
    await owner.db.execute(sql.raw(`grant select on all tables in schema drizzle to ${role}`));
    await owner.db.execute(sql.raw(`revoke update, delete, truncate on audit_events from ${role}`));
    // Migrations run as the owner; porter itself connects as the runtime role.
    runtime = await openDatabase({ kind: "postgres", url: url(role), migrationUrl: postgres.url });
  });
  afterAll(async () => {
    await runtime.close();
    await owner.db.execute(sql.raw(`drop owned by ${role}`));
    await owner.db.execute(sql.raw(`drop role ${role}`));
    await owner.close();
  });

  it("writes and verifies the chain, and is refused any change to it, triggers or no triggers", async () => {
    const org = await ensureOrganization(runtime.db, `role-${randomUUID().slice(0, 8)}`);
    await recordAuditEvents(runtime.db, [
      auditEvent("sign_in.failed", { code: "state_invalid", where: "callback" }, { organizationId: org }),
    ]);
    expect(await verifyChain(runtime.db, org)).toMatchObject({ ok: true, checked: 1 });
    const refusal = (statement: string) =>
      runtime.db.execute(sql.raw(statement)).then(
        () => "accepted",
        (err: unknown) => String((err as { cause?: { message?: string } }).cause?.message ?? err),
      );
    expect(await refusal(`update audit_events set actor = 'mallory' where organization_id = '${org}'`)).toMatch(
      /permission denied/,
    );
    expect(await refusal("alter table audit_events disable trigger audit_events_no_update_delete")).toMatch(
      /must be owner/,
    );
    expect(await refusal("truncate audit_events")).toMatch(/permission denied/);
  });
});
