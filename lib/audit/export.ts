import { stringify } from "csv-stringify/sync";
import type { Db } from "../db/client";
import type { AuditEventRow } from "../db/schema";
import { iterateAuditEvents, type AuditFilter } from "./queries";

export type ExportFormat = "csv" | "ndjson";

export const CSV_COLUMNS = [
  "id",
  "at",
  "type",
  "outcome",
  "actor",
  "actor_sub",
  "connection",
  "target",
  "target_label",
  "reason",
  "ip",
  "user_agent",
  "count",
  "refs",
  "details",
  "hash",
] as const;

/**
 * A cell a spreadsheet would not run as a formula. csv-stringify's escape_formulas prefixes a leading
 * =, +, -, @, tab or CR with an apostrophe; a leading LF it leaves alone, so it is guarded here too, and
 * NUL (which some spreadsheets cut the cell at) is replaced.
 */
export function safeCell(value: string): string {
  // NUL would end the cell in some programs; a leading line feed is the one formula start csv-stringify misses.
  const text = value.replaceAll("\u0000", "\uFFFD");
  return text.startsWith("\n") ? `'${text}` : text;
}

function csvRow(e: AuditEventRow): string[] {
  return [
    String(e.id),
    e.at.toISOString(),
    e.type,
    e.outcome ?? "",
    e.actor ?? "",
    e.actorSub ?? "",
    e.connection ?? "",
    e.target ?? "",
    e.targetLabel ?? "",
    e.reason ?? "",
    e.ip ?? "",
    e.userAgent ?? "",
    String(e.count),
    e.refs.join(" "),
    JSON.stringify(e.details),
    e.hash ?? "",
  ];
}

export function toCsv(rows: readonly AuditEventRow[], header: boolean): string {
  return safeCsv(rows.map(csvRow), header ? CSV_COLUMNS : null);
}

export function toNdjsonLine(e: AuditEventRow): string {
  return `${JSON.stringify({
    id: e.id,
    at: e.at.toISOString(),
    type: e.type,
    outcome: e.outcome,
    actor: e.actor,
    actorSub: e.actorSub,
    connection: e.connection,
    target: e.target,
    targetLabel: e.targetLabel,
    reason: e.reason,
    ip: e.ip,
    userAgent: e.userAgent,
    count: e.count,
    refs: e.refs,
    details: e.details,
    seq: e.seq,
    hash: e.hash,
  })}\n`;
}

/**
 * The export as a byte stream, pulled batch by batch from the database as the client reads: memory
 * holds one batch, whatever the table's size. A client that goes away stops the reading.
 */
export function exportStream(
  db: Db,
  filter: AuditFilter,
  format: ExportFormat,
  options: { batchSize?: number; onEnd?: (rows: number) => void } = {},
): ReadableStream<Uint8Array> {
  const batches = iterateAuditEvents(db, filter, options.batchSize);
  const encoder = new TextEncoder();
  let rows = 0;
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await batches.next();
      if (next.done) {
        if (first && format === "csv") controller.enqueue(encoder.encode(toCsv([], true)));
        controller.close();
        options.onEnd?.(rows);
        return;
      }
      rows += next.value.length;
      const text = format === "csv" ? toCsv(next.value, first) : next.value.map(toNdjsonLine).join("");
      first = false;
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}

/** CSV text of rows made safe for spreadsheets (the same guard as the audit export). */
export function safeCsv(rows: readonly string[][], columns: readonly string[] | null): string {
  return stringify(
    rows.map((r) => r.map(safeCell)),
    {
      escape_formulas: true,
      header: columns !== null,
      columns: columns ? [...columns] : undefined,
      record_delimiter: "unix",
    },
  );
}

/** Streams batches through `toRows` as CSV with one header row; memory holds one batch. */
export function csvStream<T>(
  batches: AsyncGenerator<T[]>,
  columns: readonly string[],
  toRows: (item: T) => string[][],
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await batches.next();
      if (next.done) {
        if (first) controller.enqueue(encoder.encode(safeCsv([], columns)));
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(safeCsv(next.value.flatMap(toRows), first ? columns : null)));
      first = false;
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
