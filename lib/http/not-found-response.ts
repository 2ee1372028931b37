import { htmlPage } from "./html-page";

/**
 * A plain 404 page for route handlers (which cannot render the app's not-found page). It names nothing:
 * an unknown sign-in link must not reveal which organizations exist.
 */
export function notFoundResponse(request?: Request): Response {
  return htmlPage({
    status: 404,
    title: "Page not found",
    paragraphs: ["There is nothing at this address. If you followed a sign-in link, check it with your administrator."],
    nonce: request?.headers.get("x-nonce"),
  });
}
