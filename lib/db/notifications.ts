import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";

/**
 * What the database says on a channel (NOTIFY), heard by this process. On PostgreSQL a dedicated connection
 * LISTENs, so every node hears what any node committed; on PGlite the one process hears its own commits as
 * the statement completes.
 *
 * A reader that keeps a copy of the database in memory may trust it only while `live()` is true: the
 * connection is up and answered within the last second. While it is not, notifications may be lost, so the
 * reader goes to the database; every new connection has a new `epoch()`, so copies made before a gap are
 * not trusted after it.
 */
export interface Notifications {
  subscribe(channel: string, onMessage: (payload: string) => void): void;
  live(): boolean;
  epoch(): number;
  close(): Promise<void>;
}

export function pgliteNotifications(client: PGlite): Notifications {
  const unlisten: (() => Promise<void>)[] = [];
  return {
    subscribe(channel, onMessage) {
      void client.listen(channel, onMessage).then((stop) => unlisten.push(stop));
    },
    live: () => !client.closed,
    epoch: () => 0,
    close: async () => {
      await Promise.all(unlisten.map((stop) => stop().catch(() => undefined)));
    },
  };
}

/** How often the LISTEN connection is asked to answer, and how long an answer keeps it trusted. */
const HEARTBEAT_MS = 300;
const TRUSTED_FOR_MS = 1_000;
const RECONNECT_MAX_MS = 2_000;

/**
 * A LISTEN connection of its own (not from the pool: a pooled connection would stop hearing when it is
 * handed to a query), re-made after any error with back-off, and asked `select 1` every 300 ms: a
 * connection cut without a word (a partition, a frozen server) stops being trusted within a second.
 */
export function postgresNotifications(connectionString: string): Notifications {
  const channels = new Map<string, ((payload: string) => void)[]>();
  let client: pg.Client | null = null;
  let connecting = false;
  let closed = false;
  let epoch = 0;
  let answeredAt = 0;
  let retryMs = 100;
  let heartbeat: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;

  const drop = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    answeredAt = 0;
    c.removeAllListeners("notification");
    c.end().catch(() => undefined);
    if (!closed) {
      later();
    }
  };
  const later = () => {
    retry = setTimeout(() => void connect(), retryMs);
    retry.unref();
    retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
  };

  async function connect(): Promise<void> {
    if (closed || client || connecting || channels.size === 0) return;
    connecting = true;
    const c = new pg.Client({
      connectionString,
      keepAlive: true,
      application_name: "porter-listen",
      connectionTimeoutMillis: 2_000,
    });
    c.on("error", () => {
      drop(c);
    });
    c.on("end", () => {
      drop(c);
    });
    c.on("notification", (n) => {
      for (const fn of channels.get(n.channel) ?? []) fn(n.payload ?? "");
    });
    try {
      await c.connect();
      for (const channel of channels.keys()) await c.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
      if (closed) {
        await c.end();
        return;
      }
      // Trusted only from here: a new epoch, so nothing kept before this connection listened is served.
      client = c;
      epoch += 1;
      answeredAt = Date.now();
      retryMs = 100;
    } catch {
      c.end().catch(() => undefined);
      if (!closed) later();
    } finally {
      connecting = false;
    }
  }

  const beat = () => {
    const c = client;
    if (!c) return;
    const asked = Date.now();
    const late = setTimeout(() => {
      drop(c);
    }, TRUSTED_FOR_MS);
    late.unref();
    c.query("select 1").then(
      () => {
        clearTimeout(late);
        if (client === c) answeredAt = asked;
      },
      () => {
        clearTimeout(late);
        drop(c);
      },
    );
  };

  return {
    subscribe(channel, onMessage) {
      const list = channels.get(channel);
      if (list) {
        list.push(onMessage);
        return;
      }
      channels.set(channel, [onMessage]);
      if (client) {
        // A new channel on a live connection: start a new epoch once it listens (nothing before was heard).
        const c = client;
        void c.query(`LISTEN "${channel.replaceAll('"', '""')}"`).then(
          () => {
            epoch += 1;
          },
          () => {
            drop(c);
          },
        );
      } else void connect();
      if (!heartbeat) {
        heartbeat = setInterval(beat, HEARTBEAT_MS);
        heartbeat.unref();
      }
    },
    live: () => client !== null && Date.now() - answeredAt < TRUSTED_FOR_MS,
    epoch: () => epoch,
    close: async () => {
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(retry);
      const c = client;
      client = null;
      if (c) await c.end().catch(() => undefined);
    },
  };
}
