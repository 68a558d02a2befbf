import type { Metadata } from "next";
import { getApp } from "@/server/context";
import { firstValues, returnPath, type PageQuery } from "@/server/http/page-query";
import { SignInForm, type DemoPerson } from "../_components/sign-in-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

const errors: Record<string, string> = {
  Verification: "That sign-in link has expired or was already used. Ask for a new one below.",
  AccessDenied: "Sign-in was refused. Use the address you registered with.",
  OAuthSignin: "Single sign-on could not start. Try again, or use an e-mail link.",
  OAuthCallback: "Single sign-on did not complete. Try again, or use an e-mail link.",
  Callback: "Single sign-on did not complete. Try again, or use an e-mail link.",
  OAuthAccountNotLinked: "That single sign-on account belongs to another participant. Use an e-mail link, or ask the organizers.",
  SsoNoEmail: "Your organization's sign-in did not give an e-mail address, so Plenary cannot tell who you are. Use an e-mail link, or ask your IT team.",
  SsoEmailNotVerified:
    "Your organization's sign-in did not confirm your e-mail address (email_verified), so it cannot be matched to a registration. Use an e-mail link, or ask your IT team.",
  EmailInvalid: "That is not an e-mail address. Type the address you registered with again.",
  EmailRateLimited: "Too many sign-in links were asked for this address or from this network. Wait up to 10 minutes and try again.",
  Default: "Sign-in did not complete. Try again.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<PageQuery> }) {
  const params = firstValues(await searchParams);
  const app = getApp();
  let demo: DemoPerson[] | undefined;
  if (app.config.demo) {
    demo = await app.auth.demoPeople();
  }
  return (
    <main id="main">
      <h1>Sign in</h1>
      <SignInForm
        callbackUrl={returnPath(params.callbackUrl)}
        emailAvailable={app.mailer.available}
        oidcName={app.config.oidc?.name ?? null}
        demoPeople={demo}
        error={params.error ? (errors[params.error] ?? errors.Default) : null}
      />
    </main>
  );
}
