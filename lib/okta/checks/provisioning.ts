import { inAdminConsole, PLACES } from "../admin-console";
import type { Check } from "./types";

/** A week without a request from Okta is worth a look (a push follows every change in Okta). */
const QUIET_DAYS = 7;

/**
 * Provisioning (SCIM): a valid token, a request from Okta seen recently, and a groups source that agrees
 * with what Okta sends. Read from porter's own records (the run passes a snapshot); skipped for an
 * organization that neither uses nor requires provisioning.
 */
export const provisioningCheck: Check = (ctx) => {
  const { connection, provisioning: p } = ctx;
  const base = `${ctx.urls.home}/scim/v2/${connection.name}`;
  const uses = connection.groupsSource === "scim" || connection.requireProvisioning;
  if (!p || (!uses && p.validTokens === 0 && p.provisioned === 0))
    return Promise.resolve({
      status: "skipped",
      message:
        "Provisioning is not set up for this organization (optional: Okta can create people and push groups over SCIM).",
      evidence: [],
      fix: null,
    });
  const evidence = [
    `${String(p.validTokens)} valid SCIM token(s)`,
    `last request from Okta: ${p.lastRequestAt ? p.lastRequestAt.toISOString() : "never"}`,
    `${String(p.provisioned)} people provisioned, ${String(p.pushedGroups)} groups pushed`,
    `groupsSource ${connection.groupsSource}, provisioning ${connection.requireProvisioning ? "required" : "optional"}`,
  ];
  if (p.validTokens === 0)
    return Promise.resolve({
      status: "fail",
      message: "No valid SCIM token: Okta's provisioning requests are refused (401).",
      evidence,
      fix: `Create a token on porter's Provisioning page, then ${inAdminConsole(PLACES.provisioningIntegration)} > Edit: Authentication Mode HTTP Header, paste it as the Bearer token, Test Connector Configuration, Save.`,
      value: base,
    });
  if (!p.lastRequestAt)
    return Promise.resolve({
      status: uses ? "fail" : "warn",
      message: "Okta has never called porter's SCIM API with a valid token.",
      evidence,
      fix: `${inAdminConsole(PLACES.provisioningIntegration)}: SCIM connector base URL "${base}", unique identifier field userName, HTTP Header with a token from porter's Provisioning page; Test Connector Configuration; then assign people in ${PLACES.assignments}.`,
      value: base,
    });
  if (connection.groupsSource === "scim" && p.pushedGroups === 0)
    return Promise.resolve({
      status: "warn",
      message:
        "Okta provisions people but pushes no group, and this organization's roles come from pushed groups: nobody gets a role.",
      evidence,
      fix: `${inAdminConsole(PLACES.pushGroups)}: push the groups your rules name (for example Port Admins).`,
    });
  if (connection.groupsSource !== "scim" && p.pushedGroups > 0)
    return Promise.resolve({
      status: "warn",
      message: `Okta pushes ${String(p.pushedGroups)} groups over SCIM, but this organization's roles come from ${connection.groupsSource === "users-api" ? "the Users API" : "the ID token's groups claim"}: the pushed groups change nothing.`,
      evidence,
      fix: "Set groupsSource: scim on the connection (connections file, or OKTA_GROUPS_SOURCE) to make the pushed groups the authority, or stop pushing groups in Okta.",
    });
  const quietDays = (Date.now() - p.lastRequestAt.getTime()) / 86_400_000;
  if (quietDays > QUIET_DAYS)
    return Promise.resolve({
      status: "warn",
      message: `No request from Okta for ${String(Math.floor(quietDays))} days: check that provisioning is still enabled.`,
      evidence,
      fix: `${inAdminConsole(PLACES.provisioningToApp)}: Create Users, Update User Attributes and Deactivate Users enabled; ${PLACES.provisioningIntegration}: Test Connector Configuration.`,
    });
  return Promise.resolve({
    status: "pass",
    message: `Okta provisions porter: ${String(p.provisioned)} people, ${String(p.pushedGroups)} pushed groups, last request ${p.lastRequestAt.toUTCString()}.`,
    evidence,
    fix: null,
  });
};
