import { z } from "zod";
import { compileRegex } from "../rbac/compile-regex";
import { isAllowedScheme, parseUrl } from "./url-rules";

/** Field rules shared by the environment and the connections file. */
export const REGIONS = ["eu", "us"] as const;
export type Region = (typeof REGIONS)[number];

export const CONNECTION_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export const issuerSchema = z.string().superRefine((value, ctx) => {
  const example = "https://acme.okta.com/oauth2/default";
  const url = parseUrl(value);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    ctx.addIssue({ code: "custom", message: `must be an absolute URL, e.g. ${example}` });
  } else if (!isAllowedScheme(url)) {
    ctx.addIssue({
      code: "custom",
      message: `must use https: an http issuer is refused unless its host is localhost or 127.0.0.1, e.g. ${example}`,
    });
  } else if (url.search || url.hash) {
    ctx.addIssue({ code: "custom", message: `must not have a query or fragment, e.g. ${example}` });
  } else if (value.endsWith("/")) {
    ctx.addIssue({
      code: "custom",
      message: `must not end with "/": Okta's issuer has no trailing slash and the ID token's iss must match exactly, e.g. ${example}`,
    });
  }
});

export const regexSchema = z
  .string()
  .max(1000)
  .superRefine((value, ctx) => {
    const result = compileRegex(value);
    if (!result.ok)
      ctx.addIssue({
        code: "custom",
        message: `is not a usable RE2 pattern (${result.reason}), e.g. ^(Port .*|team-.*)$`,
      });
  });
