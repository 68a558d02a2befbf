import http from "node:http";
import Provider from "oidc-provider";

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Registers Plenary's callback once its port is known; sign-ins fail before that. */
  allowRedirect(redirectUri: string): void;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (panva's oidc-provider) on loopback, for single sign-on tests. Its
 * built-in development login form accepts any login name `x` and vouches for x@idp.example.org
 * (`email_verified: true`); the login name `unverified-x` gives x@idp.example.org with
 * `email_verified: false`, like an IdP that lets people type their own address.
 */
export async function startTestIdp(): Promise<TestIdp> {
  const server = http.createServer();
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = "plenary";
  const clientSecret = "plenary-test-secret-0123456789abcdef";
  let provider: Provider | undefined;
  server.on("request", (req, res) => {
    if (!provider) {
      res.writeHead(503).end("not configured");
      return;
    }
    void provider.callback()(req, res);
  });
  return {
    issuer,
    clientId,
    clientSecret,
    allowRedirect(redirectUri) {
      provider = new Provider(issuer, {
        clients: [
          { client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ["authorization_code"], response_types: ["code"] },
        ],
        claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
        findAccount: (_ctx, sub) => {
          const unverified = sub.startsWith("unverified-");
          const local = unverified ? sub.slice("unverified-".length) : sub;
          return { accountId: sub, claims: () => ({ sub, email: `${local}@idp.example.org`, email_verified: !unverified, name: `IdP User ${local}` }) };
        },
        features: { devInteractions: { enabled: true } },
        // Like most enterprise IdPs, put the requested claims (email, name) in the ID token itself.
        conformIdTokenClaims: false,
        cookies: { keys: ["plenary-test-idp-cookie-key"] },
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
