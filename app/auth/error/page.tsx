import type { Metadata } from "next";
import Link from "next/link";
import { describeSignInError, getSessionView, isSignInErrorCode } from "@/lib/auth";
import { CONNECTION_NAME_PATTERN, connectionUrls, getConfig, getConnection } from "@/lib/config";
import { CopyButton } from "@/components/copy-button";
import { SignInButton } from "@/components/sign-in-button";
import { oneParam as one, type PageParams } from "@/lib/http/page-params";

export const metadata: Metadata = { title: "Sign-in problem" };

export default async function SignInErrorPage({ searchParams }: { searchParams: Promise<PageParams> }) {
  const params = await searchParams;
  const rawCode = one(params.code);
  const code = isSignInErrorCode(rawCode) ? rawCode : "configuration";
  const connectionName = one(params.connection);
  const connection = connectionName ? getConnection(connectionName) : null;
  const ref = one(params.ref);
  const config = getConfig();
  const urls = connection
    ? { home: connectionUrls(config, connection), here: connectionUrls(config, connection, config.region) }
    : undefined;
  // The values that identify an organization's Okta tenant (client ID, issuer) are shown only to a
  // signed-in admin of that organization: to anyone else this page must not tell which customers exist.
  const view = connection ? await getSessionView().catch(() => null) : null;
  const trusted =
    view !== null &&
    connection !== null &&
    view.connection === connection.name &&
    view.permissions.includes("rules.read");
  const page = describeSignInError(code, {
    connection: trusted ? connection : null,
    idpError: one(params.idp_error),
    urls,
  });
  const hidden = !trusted && connection !== null && page.audience === "admin";
  const retryConnection = connectionName && CONNECTION_NAME_PATTERN.test(connectionName) ? connectionName : null;

  return (
    <section className="rounded-lg border border-slate-200 bg-white p-8" aria-labelledby="error-title">
      <p className="text-sm font-medium uppercase tracking-wide text-red-700">Sign-in failed</p>
      <h1 id="error-title" className="mt-1 text-2xl font-semibold">
        {page.title}
      </h1>
      <p className="mt-3 text-slate-700">{page.summary}</p>

      {page.steps.length > 0 ? (
        <div className="mt-6 rounded-md border border-amber-200 bg-amber-50 p-5">
          <h2 className="font-semibold text-amber-900">
            {page.audience === "admin" ? "How an Okta admin fixes this" : "What to do"}
          </h2>
          <ol className="mt-3 list-decimal space-y-2 pl-5 text-sm text-amber-950">
            {page.steps.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </div>
      ) : null}

      {page.values.length > 0 ? (
        <dl className="mt-4 space-y-3">
          {page.values.map((v) => (
            <div key={v.label}>
              <dt className="text-xs font-medium text-slate-500">{v.label}</dt>
              <dd className="mt-1 flex items-center gap-2">
                <code className="break-all rounded bg-slate-100 px-2 py-1 text-sm">{v.value}</code>
                <CopyButton value={v.value} label={v.label} />
              </dd>
            </div>
          ))}
        </dl>
      ) : null}

      {hidden ? (
        <p className="mt-4 text-sm text-slate-600">
          An admin of your organization sees the exact values from porter&apos;s configuration here once signed in, and
          in porter&apos;s configuration check (Okta setup in the console, or{" "}
          <code className="font-mono">npm run check-okta</code>).
        </p>
      ) : null}

      <div className="mt-8 flex flex-wrap items-center gap-4">
        {page.retry && retryConnection ? (
          <SignInButton connection={retryConnection} callbackUrl="/profile" label="Try signing in again" />
        ) : null}
        <Link href="/" className="text-brand underline">
          Back to the start page
        </Link>
      </div>
      <p className="mt-6 text-xs text-slate-500">
        Error code <code>{code}</code>
        {ref && /^[0-9a-f-]{36}$/.test(ref) ? (
          <>
            {" "}
            · reference <code>{ref}</code> (give this to your administrator: it is in porter&apos;s audit log)
          </>
        ) : null}
      </p>
    </section>
  );
}
