import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Signed out" };

export default function SignedOutPage() {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-8">
      <h1 className="text-2xl font-semibold">You are signed out</h1>
      <p className="mt-2 text-slate-600">
        Your porter session has ended, and porter asked Okta to end your Okta session too.
      </p>
      <Link href="/" className="mt-6 inline-block rounded-md bg-brand px-4 py-2 font-medium text-white">
        Sign in again
      </Link>
    </section>
  );
}
