import Link from "next/link";
import { Forbidden, NoAccess } from "@/components/access-denied";
import { currentRefusal } from "@/components/require-access";

/** HTTP 403 for pages: what is missing and which Okta groups would grant it. */
export default async function ForbiddenPage() {
  const refusal = await currentRefusal();
  if (refusal?.status === "no_access") {
    return (
      <NoAccess
        who={refusal.view.user.email ?? refusal.view.user.sub}
        organization={refusal.view.connection}
        granting={refusal.granting}
      />
    );
  }
  if (refusal?.status === "forbidden") return <Forbidden missing={refusal.missing} granting={refusal.granting} />;
  return (
    <section className="rounded-lg border border-red-200 bg-white p-8">
      <h1 className="text-2xl font-semibold">You cannot open this page</h1>
      <p className="mt-2 text-slate-700">None of your roles allows it.</p>
      <Link href="/profile" className="mt-4 inline-block text-brand underline">
        See your roles and why you have them
      </Link>
    </section>
  );
}
