// Next is hosted by the custom server (server/main.ts); this file only tunes the build.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Node-only packages stay outside the bundles: route handlers reach the one database handle and
  // socket server through globalThis (server/context.ts), never through a second copy of these.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "socket.io", "livekit-server-sdk", "nodemailer"],
  // `npm test` type-checks the whole tree (tsc --noEmit); the build need not do it again.
  // forbidden() renders app/forbidden.tsx with a real 403 status.
  experimental: { authInterrupts: true },
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
