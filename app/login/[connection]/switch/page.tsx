import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { getSessionView, toSafeRedirectPath } from "@/lib/auth";
import { getConfig, getConnection } from "@/lib/config";
import { oneParam as one } from "@/lib/http/page-params";

export const metadata: Metadata = { title: "Switch account?" };

/** Someone is signed in and a sign-in for another person or organization arrived: ask, never switch silently. */
export default async function SwitchPage({
  params,
  searchParams,
}: {
  params: Promise<{ connection: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const connection = getConnection((await params).connection);
  if (!connection) notFound();
  const query = await searchParams;
  const target = toSafeRedirectPath(one(query.target), getConfig().publicUrl);
  const loginHint = one(query.login_hint)?.slice(0, 320);
  const view = await getSessionView();
  if (!view) redirect(`/login/${encodeURIComponent(connection.name)}?callbackUrl=${encodeURIComponent(target)}`);
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-8">
      <h1 className="text-2xl font-semibold">You are already signed in</h1>
      <p className="mt-2 text-slate-700">
        You are signed in as <strong>{view.user.email ?? view.user.sub}</strong> ({view.connection}). Okta asked to sign
        in
        {loginHint ? (
          <>
            {" "}
            <strong>{loginHint}</strong>
          </>
        ) : (
          " again"
        )}{" "}
        to <strong>{connection.name}</strong>.
      </p>
      <div className="mt-6 flex flex-wrap gap-3">
        <Link href={target} className="rounded-md border border-slate-300 px-4 py-2 font-medium text-slate-700">
          Continue as {view.user.email ?? view.user.sub}
        </Link>
        <form method="post" action={`/login/${encodeURIComponent(connection.name)}`}>
          <input type="hidden" name="callbackUrl" value={target} />
          <input type="hidden" name="switch" value="1" />
          {loginHint ? <input type="hidden" name="login_hint" value={loginHint} /> : null}
          <button type="submit" className="rounded-md bg-brand px-4 py-2 font-medium text-white">
            Sign in as {loginHint ?? "someone else"}
          </button>
        </form>
      </div>
    </section>
  );
}
