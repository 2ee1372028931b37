import { notificationsFor, type Db } from "../db/client";
import type { Notifications } from "../db/notifications";
import {
  getActiveSession,
  hashSessionId,
  readSession,
  TOUCH_EVERY_MS,
  type ActiveSession,
  type SessionCheck,
} from "./store";

/** The channel migration 0019's triggers announce on: a person's id, or '*' for a change of many. */
export const SESSIONS_CHANNEL = "porter_sessions";
/** At most this many sessions are kept per node; the oldest go first. */
const MAX_ENTRIES = 10_000;

interface Entry {
  active: ActiveSession;
  epoch: number;
}

/**
 * The sessions this node has checked, kept in memory so that a signed-in request costs no database round
 * trip, and forgotten as soon as the database says anything about them changed. Every change that matters
 * to a session check (revocation by any path, expiry moved, groups re-read, the person or their memberships
 * changed, a team renamed) is announced by a trigger in the database itself (migration 0019), so no writer
 * can forget to say it: on PostgreSQL through LISTEN/NOTIFY to every node within milliseconds of the
 * commit, on PGlite to this process as the statement completes.
 *
 * Never served from memory: a session while the LISTEN connection is not live (it is read from the database
 * until the connection is back, and nothing kept before the gap is trusted after it), one past its expiry,
 * one not written as seen for a minute (it is read, and touched), a refused one.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byUser = new Map<string, Set<string>>();
  /** Bumped by every notification: a read that overlapped one is not kept (it may predate the change). */
  private generation = 0;
  private hits = 0;
  private misses = 0;

  constructor(private readonly notifications: Notifications) {
    notifications.subscribe(SESSIONS_CHANNEL, (payload) => {
      this.forget(payload);
    });
  }

  get size(): number {
    return this.entries.size;
  }

  /** What the health endpoint shows an operator: is memory trusted now, how much is kept, how often it served. */
  stats(): { live: boolean; sessions: number; hits: number; misses: number } {
    return { live: this.notifications.live(), sessions: this.entries.size, hits: this.hits, misses: this.misses };
  }

  /** Forgets one person's sessions, or all ('*'). */
  forget(userIdOrAll: string): void {
    this.generation += 1;
    if (userIdOrAll === "*") {
      this.entries.clear();
      this.byUser.clear();
      return;
    }
    for (const idHash of this.byUser.get(userIdOrAll) ?? []) this.entries.delete(idHash);
    this.byUser.delete(userIdOrAll);
  }

  async check(db: Db, rawId: string): Promise<SessionCheck> {
    const idHash = hashSessionId(rawId);
    const live = this.notifications.live();
    const epoch = this.notifications.epoch();
    const kept = this.entries.get(idHash);
    if (kept) {
      const now = Date.now();
      const { session } = kept.active;
      if (
        live &&
        kept.epoch === epoch &&
        session.expiresAt.getTime() > now &&
        now - session.lastSeenAt.getTime() <= TOUCH_EVERY_MS
      ) {
        this.hits += 1;
        return kept.active;
      }
      this.drop(idHash, session.userId);
    }
    this.misses += 1;
    const generation = this.generation;
    const result = await readSession(db, idHash);
    if (
      "user" in result &&
      live &&
      this.generation === generation &&
      this.notifications.epoch() === epoch &&
      this.notifications.live()
    ) {
      this.keep(idHash, { active: result, epoch });
    }
    return result;
  }

  private keep(idHash: string, entry: Entry): void {
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.entries().next().value;
      if (oldest) this.drop(oldest[0], oldest[1].active.session.userId);
    }
    this.entries.set(idHash, entry);
    const userId = entry.active.session.userId;
    let hashes = this.byUser.get(userId);
    if (!hashes) this.byUser.set(userId, (hashes = new Set()));
    hashes.add(idHash);
  }

  private drop(idHash: string, userId: string): void {
    this.entries.delete(idHash);
    const hashes = this.byUser.get(userId);
    hashes?.delete(idHash);
    if (hashes?.size === 0) this.byUser.delete(userId);
  }
}

// One cache per database and process, on globalThis: Next.js bundles this module more than once.
const cachesKey = Symbol.for("porter.sessions.caches");
type WithCaches = typeof globalThis & { [cachesKey]?: WeakMap<Db, SessionCache> };
const caches = ((globalThis as WithCaches)[cachesKey] ??= new WeakMap<Db, SessionCache>());

/** This process's cache of the sessions of `db` (none for a database not opened by openDatabase). */
export function sessionCacheFor(db: Db): SessionCache | null {
  let cache = caches.get(db);
  if (!cache) {
    const notifications = notificationsFor(db);
    if (!notifications) return null;
    cache = new SessionCache(notifications);
    caches.set(db, cache);
  }
  return cache;
}

/**
 * The per-request session check: from this node's memory when it may be trusted (see SessionCache), else
 * from the database.
 */
export function checkSession(db: Db, rawId: string): Promise<SessionCheck> {
  const cache = sessionCacheFor(db);
  return cache ? cache.check(db, rawId) : getActiveSession(db, rawId);
}
