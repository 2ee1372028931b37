import { mkdirSync } from "node:fs";
import { open, readFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { AuditEvent } from "./events";

/**
 * The audit writer's durable side (review: "durable audit"). An event the database could not take is
 * appended to a local file and fsync'd before the writer answers, so an acknowledged event survives
 * `kill -9`, a crash or a power cut. The file is replayed, in order, when the next process starts; it
 * starts over once every event in it is in the database. Each entry carries a key the database records
 * with the event in the same transaction (audit_spool_receipts), so an entry written just before a crash
 * is not written twice on replay.
 *
 * One file per node (PORTER_NODE), so nodes sharing a data folder never replay each other's entries:
 *   <data>/audit-spool/<node>.jsonl        events waiting for the database
 *   <data>/audit-spool/<node>.dead.jsonl   events the database refused again and again (never retried)
 */
export interface SpooledEvent {
  key: string;
  event: AuditEvent;
}

export interface AuditSpool {
  /** The entries an earlier process left, in the order they were written; a torn last line is skipped. */
  load(): Promise<SpooledEvent[]>;
  /** Appends an entry and fsyncs it; resolves once it is on disk. False when the spool is full. */
  append(entry: SpooledEvent): Promise<boolean>;
  /** Every entry is in the database: the file starts over. */
  clear(): Promise<void>;
  /** Keeps an event the database refused for good, apart from the spool, for an operator to look at. */
  deadLetter(entry: SpooledEvent, reason: string): Promise<void>;
  readonly file: string;
  readonly bytes: number;
}

/** Default bound of the spool: about 100,000 events. Beyond it events are dropped and the drop is logged. */
export const SPOOL_MAX_BYTES = 64 * 1024 * 1024;

export function spoolFile(dataDir: string, node: string | undefined): string {
  const name = (node ?? "node").replace(/[^A-Za-z0-9_.-]/g, "_");
  return path.resolve(dataDir, "audit-spool", `${name}.jsonl`);
}

export function openSpool(file: string, options: { maxBytes?: number } = {}): AuditSpool {
  const maxBytes = options.maxBytes ?? SPOOL_MAX_BYTES;
  const deadFile = file.replace(/\.jsonl$/, ".dead.jsonl");
  let handle: FileHandle | null = null;
  let bytes = 0;
  // Appends, clears and dead letters run one after the other, in the order they were asked for: the
  // file's order is the writer's queue order.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work, work);
    chain = next.catch(() => undefined);
    return next;
  };

  async function fileHandle(): Promise<FileHandle> {
    if (handle) return handle;
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    handle = await open(file, "a", 0o600);
    bytes = (await handle.stat()).size;
    return handle;
  }

  return {
    file,
    get bytes() {
      return bytes;
    },
    async load() {
      await fileHandle();
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw err;
      }
      const entries: SpooledEvent[] = [];
      for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        try {
          const entry = JSON.parse(line) as SpooledEvent;
          if (typeof entry.key === "string" && typeof entry.event === "object") entries.push(entry);
        } catch {
          // A line torn by a crash mid-write: it was never acknowledged, so nothing promised is lost.
        }
      }
      return entries;
    },
    append(entry) {
      return serial(async () => {
        const h = await fileHandle();
        const line = `${JSON.stringify(entry)}\n`;
        const size = Buffer.byteLength(line);
        if (bytes + size > maxBytes) return false;
        await h.appendFile(line);
        await h.sync();
        bytes += size;
        return true;
      });
    },
    clear() {
      return serial(async () => {
        const h = await fileHandle();
        if (bytes === 0) return;
        await h.truncate(0);
        await h.sync();
        bytes = 0;
      });
    },
    deadLetter(entry, reason) {
      return serial(async () => {
        mkdirSync(path.dirname(deadFile), { recursive: true, mode: 0o700 });
        const dead = await open(deadFile, "a", 0o600);
        try {
          await dead.appendFile(`${JSON.stringify({ ...entry, reason, at: new Date().toISOString() })}\n`);
          await dead.sync();
        } finally {
          await dead.close();
        }
      });
    },
  };
}
