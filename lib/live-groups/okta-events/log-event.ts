/** A System Log LogEvent, as far as porter reads it (from an Event Hook delivery or a System Log page alike). */
export interface LogEventLike {
  uuid: string;
  published: string;
  eventType: string;
  target?:
    | {
        id?: string | undefined;
        type?: string | undefined;
        alternateId?: string | null | undefined;
        displayName?: string | null | undefined;
      }[]
    | null
    | undefined;
}

/** The person an event is about: its `User` target. */
export const userOf = (event: LogEventLike) => (event.target ?? []).find((t) => t.type === "User");
/** The group of a membership event: its `UserGroup` target's name. */
export const groupOf = (event: LogEventLike) =>
  (event.target ?? []).find((t) => t.type === "UserGroup")?.displayName ?? null;
/** The app of an app-assignment event: its `AppInstance` target. */
export const appOf = (event: LogEventLike) => (event.target ?? []).find((t) => t.type === "AppInstance");

/**
 * The event as porter keeps it: only the fields it reads (uuid, published, type, and each target's id,
 * type, login and name). A LogEvent also carries addresses, user agents, geolocation and security context:
 * porter needs none of them, so it stores none of them.
 */
export function slimEvent(event: LogEventLike): LogEventLike {
  return {
    uuid: event.uuid,
    published: event.published,
    eventType: event.eventType,
    target:
      event.target === null || event.target === undefined
        ? null
        : event.target.map((t) => ({
            id: t.id,
            type: t.type,
            alternateId: t.alternateId ?? null,
            displayName: t.displayName ?? null,
          })),
  };
}

/**
 * The event without NUL characters anywhere in it (PostgreSQL's text and jsonb refuse NUL): walks the parsed
 * object and removes them from every string, keys included. A person who can edit their own Okta profile can
 * put one in a field Okta copies into an event; that must not stop the event, or the batch, from being stored.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === "string") return value.replaceAll("\u0000", "") as T;
  if (Array.isArray(value)) return value.map((v: unknown) => withoutNul(v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out[k.replaceAll("\u0000", "")] = withoutNul(v);
    return out as T;
  }
  return value;
}
