/** The processes the fan-out benchmarks start: `--worker audience|moderator` (workers.ts) or `--serve-bare <sample file>` (bare.ts). */
import fs from "node:fs";
import { arg } from "./common";

// Each process loads only the part it runs (the floor does not carry the workers' code in its memory).
const worker = arg("worker");
if (worker === "audience") (await import("./workers")).audienceWorker();
else if (worker === "moderator") (await import("./workers")).moderatorWorker();
else if (arg("serve-bare")) await (await import("./bare")).serveBare(Number(process.env.PORT), fs.readFileSync(arg("serve-bare")!, "utf8"));
else throw new Error("bench/fanout/child.ts: --worker audience|moderator or --serve-bare <file>");
