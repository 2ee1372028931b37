/** A plain form: sign-in works without JavaScript and starts a fresh PKCE + state + nonce flow each time. */
export function SignInButton({
  connection,
  callbackUrl,
  label,
}: {
  connection: string;
  callbackUrl: string;
  label: string;
}) {
  return (
    <form method="post" action={`/login/${encodeURIComponent(connection)}`}>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <button
        type="submit"
        className="w-full rounded-md bg-brand px-4 py-2.5 font-medium text-white hover:bg-blue-800 sm:w-auto"
      >
        {label}
      </button>
    </form>
  );
}
