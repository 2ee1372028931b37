import { lookup } from "node:dns/promises";
import { connect as netConnect, isIP } from "node:net";
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate } from "node:tls";
import { X509Certificate } from "node:crypto";
import { isLoopbackHost } from "../../config/url-rules";
import type { Check } from "./types";

/** "open", or why not ("timed out", "refused", an error code). */
function tcp(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    const done = (r: string) => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => {
      done("timed out");
    });
    socket.once("connect", () => {
      done("open");
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      done(err.code === "ECONNREFUSED" ? "refused" : (err.code ?? err.message));
    });
  });
}

function tls(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<{ cert: PeerCertificate; authorized: boolean; error: string | null } | string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: false });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve("timed out");
    });
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate(false);
      const error = socket.authorizationError ? String(socket.authorizationError) : null;
      socket.end();
      resolve({ cert, authorized: socket.authorized, error });
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      resolve(err.code === "ECONNREFUSED" ? "refused" : (err.code ?? err.message));
    });
  });
}

export function oktaCell(host: string): string {
  if (host.endsWith(".okta-emea.com")) return "Okta EMEA cell (okta-emea.com)";
  if (host.endsWith(".oktapreview.com")) return "Okta preview (oktapreview.com)";
  if (host.endsWith(".okta.com")) return "Okta US cells (okta.com)";
  if (host.endsWith(".okta-gov.com") || host.endsWith(".okta.mil")) return "Okta for Government";
  return "a custom domain (or not Okta)";
}

/** DNS, TCP 443, TLS and certificate, revocation hosts on port 80: in words a network team can act on. */
export const networkCheck: Check = async (ctx) => {
  const url = new URL(ctx.connection.issuer);
  const host = url.hostname;
  const evidence: string[] = [`Okta host: ${host} (${oktaCell(host)})`];
  let address: string;
  try {
    address = (await lookup(host)).address;
    evidence.push(`DNS ${host} -> ${address}`);
  } catch (err) {
    return {
      status: "fail",
      message: `The name ${host} does not resolve from this server (DNS).`,
      evidence: [...evidence, `DNS: ${(err as NodeJS.ErrnoException).code ?? "error"}`],
      fix: `Check the issuer's host name, and that this server's DNS resolves public names (ask the network team to allow DNS for ${host}).`,
    };
  }
  if (url.protocol === "http:" && isLoopbackHost(host)) {
    const port = Number(url.port || "80");
    const open = await tcp(host, port, ctx.timeoutMs);
    evidence.push(`TCP ${host}:${String(port)} -> ${open}`);
    return open === "open"
      ? {
          status: "pass",
          message: `${host}:${String(port)} answers (http on loopback: a development IdP, no TLS to check).`,
          evidence,
          fix: null,
        }
      : {
          status: "fail",
          message: `Nothing answers on ${host}:${String(port)} (${open}).`,
          evidence,
          fix: "Start the identity provider, or fix the issuer URL.",
        };
  }
  const port = Number(url.port || "443");
  const result = await tls(host, port, ctx.timeoutMs);
  if (typeof result === "string") {
    evidence.push(`TCP/TLS ${host}:${String(port)} -> ${result}`);
    const why =
      result === "timed out"
        ? "the connection timed out (a firewall dropping traffic?)"
        : result === "refused"
          ? "the connection was refused"
          : `the connection failed (${result})`;
    return {
      status: "fail",
      message: `This server cannot open HTTPS to ${host} on port 443: ${why}.`,
      evidence,
      fix: `Ask the network team to allow outbound TCP 443 from the porter servers to ${host}.`,
    };
  }
  const { cert, authorized, error } = result;
  const name = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(", ") : (v ?? ""));
  const issuer = name(cert.issuer.O) || name(cert.issuer.CN) || "unknown";
  evidence.push(
    `TLS ${host}:${String(port)}: certificate for ${name(cert.subject.CN) || "?"} issued by ${issuer}, valid until ${cert.valid_to}`,
  );
  const identity = checkServerIdentity(host, cert);
  if (!authorized || identity) {
    return {
      status: "fail",
      message: `The certificate presented for ${host} is not trusted (${error ?? identity?.message ?? "untrusted"}, issued by "${issuer}"): a proxy doing TLS inspection is likely in the way.`,
      evidence,
      fix: `Ask the network team to exempt ${host} from TLS inspection (SSL decryption) on port 443, or to add their inspection CA to this server's trust store (NODE_EXTRA_CA_CERTS).`,
    };
  }
  const daysLeft = (new Date(cert.valid_to).getTime() - Date.now()) / 86_400_000;
  let ocspHosts: string[] = [];
  try {
    ocspHosts = [...(new X509Certificate(cert.raw).infoAccess?.matchAll(/OCSP - URI:(http:\/\/[^\s]+)/g) ?? [])].map(
      (m) => new URL(m[1] ?? "").hostname,
    );
  } catch {
    ocspHosts = [];
  }
  const unreachable: string[] = [];
  for (const ocsp of [...new Set(ocspHosts)]) {
    const state = await tcp(ocsp, 80, Math.min(2000, ctx.timeoutMs));
    evidence.push(`Revocation (OCSP) ${ocsp}:80 -> ${state}`);
    if (state !== "open") unreachable.push(ocsp);
  }
  if (unreachable.length > 0) {
    return {
      status: "warn",
      message: `HTTPS to ${host} works, but the certificate revocation host ${unreachable.join(", ")} is not reachable on port 80.`,
      evidence,
      fix: `Ask the network team to allow outbound TCP 80 to ${unreachable.join(", ")} (Okta's allowlist guidance), so certificate revocation can be checked.`,
    };
  }
  if (daysLeft < 14)
    return {
      status: "warn",
      message: `The certificate of ${host} expires in ${String(Math.floor(daysLeft))} days.`,
      evidence,
      fix: null,
    };
  return {
    status: "pass",
    message: `HTTPS to ${host} on port 443 works and its certificate is trusted.`,
    evidence,
    fix: null,
  };
};
