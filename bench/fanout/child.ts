/** The processes the fan-out benchmarks start: `--worker audience|moderator` (workers.ts) or `--serve-bare <sample file>` (bare.ts). */
import fs from "node:fs";
import { arg } from "./common";
import { serveBare } from "./bare";
import { audienceWorker, moderatorWorker } from "./workers";

const worker = arg("worker");
if (worker === "audience") audienceWorker();
else if (worker === "moderator") moderatorWorker();
else if (arg("serve-bare")) void serveBare(Number(process.env.PORT), fs.readFileSync(arg("serve-bare")!, "utf8"));
else throw new Error("bench/fanout/child.ts: --worker audience|moderator or --serve-bare <file>");
