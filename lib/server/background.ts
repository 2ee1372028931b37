import { connectionUrls, type Config } from "../config";
import { ensureStream } from "../signals";
import { pruneSessions } from "../sessions/store";
import { pruneRateLimits } from "../limits/rate-limit";
import { getDb } from "../db";
import { refreshStatistics } from "../db/statistics";
import { logger } from "../log";
import { applyPendingOktaEvents, oktaEventsContext, pollSystemLog, pruneOktaEvents } from "../live-groups";

const PRUNE_EVERY_MS = 60 * 60 * 1000;
const SIGNALS_EVERY_MS = 10 * 60 * 1000;
/** As often as autovacuum looks (its naptime): embedded PGlite has none. */
const STATISTICS_EVERY_MS = 60 * 1000;
const key = Symbol.for("porter.background");
type WithTimers = typeof globalThis & { [key]?: NodeJS.Timeout[] };

/**
 * The work a node does on its own: each organization with an Okta API token polls its System Log every
 * OKTA_LOG_POLL_SECONDS (a database lease makes it one node at a time), events left queued by a crash
 * are applied, and ended sessions and old rate-limit windows are pruned hourly. On embedded PGlite, which
 * has no autovacuum, the tables whose statistics lag are analyzed every minute (refreshStatistics). Started
 * once per process; timers never keep it alive.
 */
export function startBackgroundWork(config: Config): void {
  const g = globalThis as WithTimers;
  if (g[key]) return;
  const timers: NodeJS.Timeout[] = [];
  const here = config.connections.filter((c) => c.region === config.region);
  const busy = new Set<string>();
  if (config.logPollSeconds > 0) {
    const tick = async () => {
      const db = await getDb();
      for (const connection of here) {
        if (busy.has(connection.name)) continue;
        busy.add(connection.name);
        try {
          const context = await oktaEventsContext(db, connection);
          if (context.okta) {
            const outcome = await pollSystemLog(db, context);
            if (outcome.polled && "error" in outcome)
              logger.warn(
                { event: "system_log_poll_failed", connection: connection.name, reason: outcome.error },
                "System Log poll failed; it is retried",
              );
          } else {
            await applyPendingOktaEvents(db, context);
          }
        } catch (err) {
          logger.error({ err, connection: connection.name }, "background Okta work failed; it is retried");
        } finally {
          busy.delete(connection.name);
        }
      }
    };
    timers.push(setInterval(() => void tick(), config.logPollSeconds * 1000));
  }
  timers.push(
    setInterval(() => {
      void getDb()
        .then(async (db) => {
          await pruneSessions(db);
          await pruneRateLimits(db);
          await pruneOktaEvents(db);
        })
        .catch((err: unknown) => {
          logger.error({ err }, "pruning sessions or rate-limit counters failed; it is retried");
        });
    }, PRUNE_EVERY_MS),
  );
  if (config.database.kind === "pglite") {
    const refresh = () =>
      void getDb()
        .then(refreshStatistics)
        .then((analyzed) => {
          if (analyzed.length > 0)
            logger.debug({ event: "statistics_refreshed", tables: analyzed }, "planner statistics refreshed");
        })
        .catch((err: unknown) => {
          logger.warn({ err }, "refreshing the embedded database's statistics failed; it is retried");
        });
    timers.push(setTimeout(refresh, 5_000), setInterval(refresh, STATISTICS_EVERY_MS));
  }
  // Shared Signals: each organization that asks for it has its stream registered (and re-checked every 10
  // minutes: a stream deleted at Okta comes back, a disabled one shows on the console).
  const signalling = here.filter((c) => c.sharedSignals);
  if (signalling.length > 0) {
    const registerStreams = async () => {
      const db = await getDb();
      for (const connection of signalling) {
        const stream = await ensureStream(db, connection, connectionUrls(config, connection).home).catch(
          (err: unknown) => {
            logger.error(
              { err, connection: connection.name },
              "Shared Signals stream registration failed; it is retried",
            );
            return null;
          },
        );
        if (stream?.status === "error")
          logger.warn(
            { event: "ssf_stream_problem", connection: connection.name, reason: stream.statusReason },
            "Shared Signals stream not registered; it is retried",
          );
      }
    };
    timers.push(setTimeout(() => void registerStreams(), 1_000));
    timers.push(setInterval(() => void registerStreams(), SIGNALS_EVERY_MS));
  }
  for (const t of timers) t.unref();
  g[key] = timers;
}
