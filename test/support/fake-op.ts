import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";

export interface TokenReply {
  status: number;
  body: Record<string, unknown>;
}

/**
 * A deliberately controllable OpenID Provider on loopback, for tests that need an IdP to misbehave
 * (wrong nonce, forged signature, ...). Real HTTP, real keys; each test decides the token reply.
 */
export class FakeOp {
  issuer = "";
  private server: Server | null = null;
  privateKey!: CryptoKey;
  otherKey!: CryptoKey;
  kid = "fake-op-key-1";
  tokenReply: (form: URLSearchParams) => Promise<TokenReply> = () =>
    Promise.resolve({ status: 500, body: { error: "server_error" } });
  tokenRequests: URLSearchParams[] = [];
  /** How many times the JWKS was read. */
  jwksReads = 0;
  /** The published key set; `rotate()` replaces it. */
  private jwks: { keys: Record<string, unknown>[] } = { keys: [] };
  /** While true, the key set answers 503 (Okta having a bad minute). */
  keysDown = false;

  /** Key rotation: a new signing key (new kid) replaces the old one in the key set. */
  async rotate(): Promise<void> {
    this.privateKey = (await generateKeyPair("RS256", { extractable: true })).privateKey;
    this.kid = `fake-op-key-${String(Date.now())}`;
    const { kty, n, e } = await exportJWK(this.privateKey);
    this.jwks = { keys: [{ kty, n, e, kid: this.kid, alg: "RS256", use: "sig" }] };
  }

  async start(): Promise<void> {
    this.privateKey = (await generateKeyPair("RS256", { extractable: true })).privateKey;
    this.otherKey = (await generateKeyPair("RS256")).privateKey;
    const { kty, n, e } = await exportJWK(this.privateKey);
    this.jwks = { keys: [{ kty, n, e, kid: this.kid, alg: "RS256", use: "sig" }] };

    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", this.issuer);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === "/oauth2/default/.well-known/openid-configuration") {
        send(200, {
          issuer: this.issuer,
          authorization_endpoint: `${this.issuer}/v1/authorize`,
          token_endpoint: `${this.issuer}/v1/token`,
          userinfo_endpoint: `${this.issuer}/v1/userinfo`,
          jwks_uri: `${this.issuer}/v1/keys`,
          end_session_endpoint: `${this.issuer}/v1/logout`,
          code_challenge_methods_supported: ["S256"],
          authorization_response_iss_parameter_supported: true,
          id_token_signing_alg_values_supported: ["RS256"],
        });
        return;
      }
      if (url.pathname === "/oauth2/default/v1/keys") {
        this.jwksReads++;
        if (this.keysDown) send(503, { error: "temporarily_unavailable" });
        else send(200, this.jwks);
        return;
      }
      if (url.pathname === "/oauth2/default/v1/token" && req.method === "POST") {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => {
          chunks.push(c);
        });
        req.on("end", () => {
          const form = new URLSearchParams(Buffer.concat(chunks).toString());
          this.tokenRequests.push(form);
          void this.tokenReply(form).then((r) => {
            send(r.status, r.body);
          });
        });
        return;
      }
      send(404, { error: "not_found" });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.issuer = `http://127.0.0.1:${String(port)}/oauth2/default`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => {
        resolve();
      });
    });
  }

  sign(claims: JWTPayload, opts: { key?: CryptoKey | Uint8Array; alg?: string; kid?: string } = {}): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: opts.alg ?? "RS256", kid: opts.kid ?? this.kid })
      .sign(opts.key ?? this.privateKey);
  }

  unsigned(claims: JWTPayload): string {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    return `${b64({ alg: "none", kid: this.kid })}.${b64(claims)}.`;
  }
}
