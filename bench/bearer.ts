import { createRequire } from "node:module";
import { verify } from "node:crypto";
import { AccessTokenVerifier } from "../lib/okta/access-tokens";
import { line, ratio, summarize, us } from "./stats";
import { startJwksIssuer } from "./support";

const require = createRequire(import.meta.url);

/**
 * Bearer verification per request, cold (first sight of a token, keys known) and cached, against a bare
 * crypto.verify RS256 of the same tokens with a KeyObject. The stock @okta/jwt-verifier (PEM re-parsed
 * on every call) is shown for reference.
 */
export async function benchBearer(): Promise<{ cachedSpeedup: number; coldSlowdown: number }> {
  const idp = await startJwksIssuer();
  const N = 3000;
  const tokens = Array.from({ length: N }, () =>
    idp.sign({ cid: "porter-cli", sub: "dev@example.com", scp: ["porter.read"], groups: ["team-payments"] }),
  );
  const verifier = new AccessTokenVerifier({
    issuer: idp.issuer,
    audience: "api://default",
    clientIds: ["porter-cli"],
  });
  // Load the keys and warm the JIT on other tokens, as the bare baseline is warmed below.
  for (let i = 0; i < 300; i++) await verifier.verify(idp.sign({ cid: "porter-cli", sub: "warm", scp: [] }));

  const bareOnce = (token: string) => {
    const dot = token.lastIndexOf(".");
    return verify(
      "RSA-SHA256",
      Buffer.from(token.slice(0, dot)),
      idp.publicKey,
      Buffer.from(token.slice(dot + 1), "base64url"),
    );
  };
  const timeEach = async (fn: (t: string) => unknown, list: string[]) => {
    const samples: number[] = [];
    for (const t of list) {
      const start = performance.now();
      const out = fn(t);
      if (out instanceof Promise) await out;
      samples.push(performance.now() - start);
    }
    return summarize(samples);
  };
  for (const t of tokens.slice(0, 200)) bareOnce(t); // warm the JIT
  const bare = await timeEach(bareOnce, tokens);
  const cold = await timeEach((t) => verifier.verify(t, ["porter.read"]), tokens);
  // The request path asks the cache synchronously first (verifyCached), as lib/auth/bearer.ts does.
  const cached = await timeEach(
    (t) => verifier.verifyCached(t, ["porter.read"]) ?? verifier.verify(t, ["porter.read"]),
    tokens,
  );

  const OktaJwtVerifier = require("@okta/jwt-verifier") as new (o: object) => {
    verifyAccessToken(t: string, aud: string): Promise<unknown>;
  };
  const stock = new OktaJwtVerifier({ issuer: idp.issuer, testing: { disableHttpsCheck: true } });
  await stock.verifyAccessToken(tokens[0] ?? "", "api://default");
  const library = await timeEach((t) => stock.verifyAccessToken(t, "api://default"), tokens.slice(0, 1000));
  await idp.close();

  console.log(
    `\nBearer access-token check per request (${String(N)} distinct RS256 tokens; baseline: bare crypto.verify with a KeyObject)`,
  );
  line("baseline bare crypto.verify (mean)", us(bare.mean), `p50 ${us(bare.p50)}`);
  line(
    "porter cold: first sight of a token (mean)",
    us(cold.mean),
    `p50 ${us(cold.p50)} -> ${ratio(cold.mean / bare.mean)} of bare; target <= 3x: ${cold.mean / bare.mean <= 3 ? "met" : "MISSED"}`,
  );
  line(
    "porter cached: token seen before (mean)",
    us(cached.mean),
    `p50 ${us(cached.p50)} -> ${ratio(bare.mean / cached.mean)} faster than bare; target >= 10x: ${bare.mean / cached.mean >= 10 ? "met" : "MISSED"}`,
  );
  line(
    "reference: stock @okta/jwt-verifier (mean)",
    us(library.mean),
    `-> ${ratio(bare.mean / library.mean)} of bare speed (PEM parsed on every call)`,
  );
  return { cachedSpeedup: bare.mean / cached.mean, coldSlowdown: cold.mean / bare.mean };
}
