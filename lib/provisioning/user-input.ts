import { z } from "zod";
import { scimError } from "./errors";

const text = (max: number) =>
  z
    .string({ error: "must be a string" })
    .max(max, `is longer than ${String(max)} characters`)
    .transform((s) => s.replaceAll("\u0000", ""));

/** `active` as a boolean; "true"/"false" in any case too (some clients quote it); anything else is refused. */
const active = z.union([
  z.boolean(),
  z
    .string()
    .regex(/^(true|false)$/i, "must be true or false")
    .transform((s) => s.toLowerCase() === "true"),
]);

/**
 * A User as Okta POSTs and PUTs it (RFC 7643 §4.1). Unknown attributes are ignored; `groups` is read-only
 * (memberships come through /Groups); `password` is dropped here and never stored, logged or audited.
 */
const userBody = z
  .looseObject({
    userName: text(1024).pipe(z.string().trim().min(1, "is required")),
    externalId: text(255).nullish(),
    name: z
      .looseObject({
        givenName: text(1024).nullish(),
        familyName: text(1024).nullish(),
        formatted: text(1024).nullish(),
      })
      .nullish(),
    displayName: text(1024).nullish(),
    emails: z
      .array(
        z.looseObject({
          value: text(320).pipe(z.string().trim().min(1, "is required")),
          type: text(50).nullish(),
          primary: z.boolean({ error: "must be true or false" }).nullish(),
        }),
        { error: "must be a list" },
      )
      .max(20, "has more than 20 entries")
      .nullish(),
    locale: text(35).nullish(),
    active: active.optional(),
  })
  .transform(({ userName, externalId, name, displayName, emails, locale, active: isActive }) => ({
    userName,
    externalId: externalId ?? null,
    givenName: name?.givenName ?? null,
    familyName: name?.familyName ?? null,
    formatted: name?.formatted ?? null,
    displayName: displayName ?? null,
    emails: (emails ?? []).map((e) => ({
      value: e.value,
      ...(e.type ? { type: e.type } : {}),
      ...(typeof e.primary === "boolean" ? { primary: e.primary } : {}),
    })),
    locale: locale ?? null,
    active: isActive,
  }));

export type UserInput = z.output<typeof userBody>;

/** Reads a User body; a wrong type or length is `400 invalidValue` naming the attribute. */
export function readUserInput(body: unknown): UserInput {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw scimError("invalidSyntax", "The body must be a SCIM User object (JSON).");
  // The password Okta sends is dropped before anything reads the body.
  const rest = Object.fromEntries(Object.entries(body).filter(([key]) => key.toLowerCase() !== "password"));
  const parsed = userBody.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "User";
    throw scimError("invalidValue", `${where} ${issue?.message ?? "is invalid"}.`);
  }
  return parsed.data;
}

/** The person's primary email: the one marked primary, else the first, else the userName when it is one. */
export function primaryEmail(input: Pick<UserInput, "emails" | "userName">): string | null {
  const chosen = input.emails.find((e) => e.primary) ?? input.emails[0];
  if (chosen) return chosen.value;
  return /^[^@\s]+@[^@\s]+$/.test(input.userName) ? input.userName : null;
}

/** The name people see: displayName, else the formatted name, else given and family names. */
export function displayNameOf(
  input: Pick<UserInput, "displayName" | "formatted" | "givenName" | "familyName">,
): string | null {
  const joined = [input.givenName, input.familyName].filter(Boolean).join(" ").trim();
  return input.displayName ?? input.formatted ?? (joined || null);
}
