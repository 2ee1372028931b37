import Link from "next/link";
import { getSessionView, toSafeRedirectPath } from "@/lib/auth";
import { getConfig } from "@/lib/config";
import { SignInButton } from "@/components/sign-in-button";
import { NoAccess } from "@/components/access-denied";
import { grantingMatchers } from "@/lib/auth/access";

export default async function HomePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const config = getConfig();
  const callbackUrl = toSafeRedirectPath(params.callbackUrl, config.publicUrl);
  const view = await getSessionView();

  if (view && view.permissions.length === 0) {
    return (
      <NoAccess
        who={view.user.email ?? view.user.sub}
        organization={view.connection}
        granting={await grantingMatchers(view.organizationId, view.connection, null)}
      />
    );
  }

  if (view) {
    return (
      <section className="rounded-lg border border-slate-200 bg-white p-8">
        <h1 className="text-2xl font-semibold">Welcome back{view.user.name ? `, ${view.user.name}` : ""}</h1>
        <p className="mt-2 text-slate-600">
          You are signed in as <strong>{view.user.email ?? view.user.sub}</strong> through {view.connection}.
        </p>
        <p className="mt-2 text-slate-600">Your roles: {view.roles.map((r) => r.role).join(", ")}.</p>
        <div className="mt-6 flex gap-3">
          {view.permissions.includes("services.read") ? (
            <Link href="/services" className="inline-block rounded-md bg-brand px-4 py-2 font-medium text-white">
              Open the service catalog
            </Link>
          ) : null}
          <Link
            href="/profile"
            className="inline-block rounded-md border border-slate-300 px-4 py-2 font-medium text-slate-700"
          >
            Your profile and roles
          </Link>
        </div>
      </section>
    );
  }

  return (
    <section className="rounded-lg border border-slate-200 bg-white p-8">
      <h1 className="text-2xl font-semibold">Sign in to porter</h1>
      <p className="mt-2 text-slate-600">
        porter uses your company&apos;s Okta account. Your Okta groups decide what you can do here.
      </p>
      <div className="mt-6 flex flex-col gap-3">
        {config.connections.length === 1 && config.connections[0] ? (
          <SignInButton connection={config.connections[0].name} callbackUrl={callbackUrl} label="Sign in with Okta" />
        ) : (
          // Several customers share this deployment: ask for the organization rather than list them.
          <form method="get" action="/login" className="flex flex-wrap items-end gap-3">
            <input type="hidden" name="callbackUrl" value={callbackUrl} />
            <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
              Organization
              <input
                name="organization"
                required
                pattern="[a-z0-9][a-z0-9\-]{0,39}"
                autoComplete="organization"
                className="rounded-md border border-slate-300 p-2 font-mono"
                placeholder="acme"
              />
            </label>
            <button type="submit" className="rounded-md bg-brand px-4 py-2.5 font-medium text-white hover:bg-blue-800">
              Sign in with Okta
            </button>
          </form>
        )}
      </div>
      {params.organization === "invalid" ? (
        <p role="alert" className="mt-3 text-sm text-red-800">
          That is not an organization name: use lowercase letters, digits and &quot;-&quot;, as in your sign-in link.
        </p>
      ) : null}
      {config.connections.length > 1 ? (
        <p className="mt-3 text-sm text-slate-500">
          Or use your organization&apos;s sign-in link, or its tile on your Okta dashboard.
        </p>
      ) : null}
      <p className="mt-6 text-xs text-slate-500">
        Region: {config.region.toUpperCase()} · {config.publicUrl}
      </p>
    </section>
  );
}
