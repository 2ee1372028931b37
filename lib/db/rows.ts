/** The rows of a raw statement (`db.execute`): both drivers (node-postgres, PGlite) answer with `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows?: T[] }).rows ?? [];
}
