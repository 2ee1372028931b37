import { describe, expect, it } from "vitest";
import { testDatabases, useTestDatabase } from "../../test/support/databases";
import { newOrganization, signInPerson } from "../../test/support/people";
import { getActiveSession } from "../sessions/store";
import { universalLogout } from "./universal-logout";

describe.each(testDatabases())("Universal Logout on %s", (_name, dbConfig) => {
  const handle = useTestDatabase(dbConfig);
  const issuers = ["https://acme.okta.com"];

  it("ends the sessions of everyone who shares the email, not only one of them (review finding 6)", async () => {
    const organization = await newOrganization(handle.db, { prefix: "gtr", seed: null });
    const first = await signInPerson(handle.db, organization, "00u-one", ["Everyone"], {
      email: "Shared@Example.com",
      session: true,
    });
    const second = await signInPerson(handle.db, organization, "00u-two", ["Everyone"], {
      email: "shared@example.com",
      session: true,
    });
    const bystander = await signInPerson(handle.db, organization, "00u-three", ["Everyone"], { session: true });
    const ended = await universalLogout(handle.db, {
      organizationId: organization.id,
      connection: organization.name,
      subject: { format: "email", email: "shared@example.com" },
      issuers,
      jti: "jti-1",
      client: { ip: null, userAgent: null },
    });
    expect(ended).toBe(2);
    for (const { sid } of [first, second])
      expect(await getActiveSession(handle.db, sid ?? "")).toMatchObject({ rejected: "revoked" });
    expect(await getActiveSession(handle.db, bystander.sid ?? "")).toHaveProperty("user");
  });

  it("answers 404 for a subject nobody here has, and ends nothing for another org's issuer", async () => {
    const organization = await newOrganization(handle.db, { prefix: "gtr", seed: null });
    const person = await signInPerson(handle.db, organization, "00u-one", [], { session: true });
    const call = (subject: Parameters<typeof universalLogout>[1]["subject"]) =>
      universalLogout(handle.db, {
        organizationId: organization.id,
        connection: organization.name,
        subject,
        issuers,
        jti: "jti-2",
        client: { ip: null, userAgent: null },
      });
    await expect(call({ format: "email", email: "nobody@example.com" })).rejects.toMatchObject({ status: 404 });
    await expect(call({ format: "iss_sub", iss: "https://other.okta.com", sub: "00u-one" })).rejects.toMatchObject({
      status: 404,
    });
    expect(await getActiveSession(handle.db, person.sid ?? "")).toHaveProperty("user");
  });
});
