import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";

/** An RS256 key published as a JWKS at `${issuer}/v1/keys` on loopback, like an Okta custom authorization server. */
export async function startJwksIssuer(): Promise<{
  issuer: string;
  publicKey: KeyObject;
  sign: (claims: Record<string, unknown>) => string;
  close: () => Promise<void>;
}> {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = "bench-key-1";
  const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" }] });
  const server: Server = createServer((req, res) => {
    if (req.url === "/oauth2/default/v1/keys") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(jwks);
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/oauth2/default`;
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const sign = (claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64({ alg: "RS256", kid, typ: "at+jwt" })}.${b64({ iss: issuer, aud: "api://default", iat: now, exp: now + 3600, jti: randomUUID(), ...claims })}`;
    return `${input}.${createSign("RSA-SHA256").update(input).sign(privateKey).toString("base64url")}`;
  };
  return {
    issuer,
    publicKey,
    sign,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Starts a demo script (demo/start.ts or demo/cluster.ts) and resolves once its banner says it is ready. */
export async function startDemoScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (/Ctrl\+C stops/.test(out)) resolve();
    });
    child.on("exit", (code) => {
      reject(new Error(`${script} exited (${String(code)})`));
    });
  });
  child.stdout?.resume();
  return child;
}

/**
 * Stops a process the bench started and waits until it has exited: a demo still shutting down (its servers,
 * its database) would share the machine with what the bench measures next.
 */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/**
 * Requests/s of GET `url` from bench/load.ts in a process of its own (so the load does not share the
 * server's CPU): `credential` is a bearer token, `cookie:<header>`, or `-`. Any failed request fails the run.
 */
export async function runLoad(url: string, credential: string, durationMs: number, connections = 8): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    "node_modules/tsx/dist/cli.mjs",
    "bench/load.ts",
    url,
    credential,
    String(durationMs),
    String(connections),
  ]);
  const r = JSON.parse(stdout) as { requests: number; seconds: number; errors: number };
  if (r.errors > 0) throw new Error(`${String(r.errors)} failed requests on ${url}`);
  return r.requests / r.seconds;
}
