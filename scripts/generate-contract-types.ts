import { writeFileSync } from "node:fs";
import path from "node:path";
import { renderContractTypes } from "../contracts/type-generator";
import { topicIds, topicSchema } from "../contracts/topics";

const output = path.resolve(__dirname, "..", "..", "contracts", "generated", "types.ts");
const source = renderContractTypes(topicIds.map(topicSchema));
writeFileSync(output, source);
console.log(`wrote ${path.relative(process.cwd(), output)}`);
