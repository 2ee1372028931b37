/**
 * DNS rebinding guard: devidp answers only requests addressed to a loopback name. A web page on another
 * site whose name a resolver points at 127.0.0.1 sends its own name in `Host`, and is refused, so it cannot
 * read devidp's pages or call its demo APIs from a browser on the same machine.
 */
const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function isLoopbackHost(host: string | undefined, origin: string): boolean {
  if (!host) return false;
  const name = host.trim().toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  return (
    LOOPBACK_NAMES.has(name) || name === new URL(origin).hostname.toLowerCase() || /^127(\.\d{1,3}){3}$/.test(name)
  );
}
