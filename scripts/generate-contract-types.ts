import { writeFileSync } from "node:fs";
import path from "node:path";
import { renderContractTypes } from "../contracts/type-generator";
import { topicContracts, topicSchema, type TopicId } from "../contracts/topics";

const output = path.resolve(__dirname, "..", "..", "contracts", "generated", "types.ts");
const source = renderContractTypes((Object.keys(topicContracts) as TopicId[]).map(topicSchema));
writeFileSync(output, source);
console.log(`wrote ${path.relative(process.cwd(), output)}`);
