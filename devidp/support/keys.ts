import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { exportJWK, generateKeyPair, type JWK } from "jose";

interface KeyStore {
  jwks: { keys: JWK[] };
  cookieKeys: string[];
}

async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  return {
    ...(await exportJWK(privateKey)),
    kid: `devidp-${randomBytes(6).toString("hex")}`,
    alg: "RS256",
    use: "sig",
  };
}

/** A new signing key first, the previous ones kept (at most two old): written back so a restart keeps them. */
export async function rotateSigningKey(dataDir: string, current: KeyStore): Promise<KeyStore> {
  const store: KeyStore = { ...current, jwks: { keys: [await newSigningKey(), ...current.jwks.keys].slice(0, 3) } };
  writeFileSync(path.join(dataDir, "keys.json"), JSON.stringify(store), { mode: 0o600 });
  return store;
}

/** RS256 signing keys and cookie keys: generated on first start, then kept under the data directory. */
export async function loadOrCreateKeys(dataDir: string): Promise<KeyStore> {
  const file = path.join(dataDir, "keys.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as KeyStore;
  const store: KeyStore = {
    jwks: { keys: [await newSigningKey()] },
    cookieKeys: [randomBytes(32).toString("base64url")],
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(store), { mode: 0o600 });
  return store;
}
