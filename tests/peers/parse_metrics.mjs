// Parses Prometheus text exposition (standard input) with parse-prometheus-text-format and prints
// its metric families as JSON. A text the parser refuses exits non-zero.
import fs from "node:fs";
import parse from "parse-prometheus-text-format";

const text = fs.readFileSync(0, "utf8");
console.log(JSON.stringify(parse(text)));
