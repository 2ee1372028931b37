"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { signOutEverywhere } from "@/lib/auth";
import { requestClient } from "@/lib/http/client-ip";

/** Ends the porter session and the Okta session (RP-initiated logout). Server actions are origin-checked by Next.js. */
export async function signOutAction(): Promise<void> {
  const url = await signOutEverywhere(requestClient(await headers()));
  redirect(url);
}
