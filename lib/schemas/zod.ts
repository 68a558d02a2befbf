import { z } from "zod";

// Zod compiles fast object parsers with `new Function` when it may, and probes for that when a schema
// is built. The content security policy allows no eval, so in the browser even the probe is a
// reported violation: there, parse without compiling (payloads are small). The server keeps the
// compiled parsers. Every schema module imports `z` from here, so this runs before any schema exists.
if (typeof window !== "undefined") z.config({ jitless: true });

export { z };
