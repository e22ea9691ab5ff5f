// The peer of bench/dynamodb_latency.cc: the same operations on the same table and items with
// the AWS SDK for JavaScript v3 (@aws-sdk/client-dynamodb, pinned in tests/peers), one call at
// a time, after the same warm-up. Endpoint, region and credentials from the environment
// (AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
//
//   node bench/dynamodb_latency.mjs TABLE ITEMS N TAG
import { createRequire } from "node:module";

const require = createRequire(new URL("../tests/peers/package.json", import.meta.url));
const {
  DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand, QueryCommand, TransactWriteItemsCommand,
} = require("@aws-sdk/client-dynamodb");

const [table, itemsArg, nArg, tag] = process.argv.slice(2);
const items = Number(itemsArg), n = Number(nArg);
const OWNERS = 10;
const owner = (i) => `owner-${i % OWNERS}`;
const pad = (v, w) => String(v).padStart(w, "0");

// The same item as dynamodb_latency.cc's item().
function item(id, ownerId, i) {
  const created = `2026-11-26T05:${pad(Math.floor(i / 60000) % 60, 2)}:${pad(Math.floor(i / 1000) % 60, 2)}.${pad(i % 1000, 3)}Z`;
  return {
    id: { S: id }, owner: { S: ownerId }, created_at: { S: created }, title: { S: `Kitchen floor ${i}` },
    version: { N: "1" }, price: { N: "12.99" }, favorites: { L: [{ S: "p-1" }, { S: "p-2" }, { S: "p-3" }] },
    reference: { M: {
      brand: { S: "Acme" }, model: { S: "Oak Natural" },
      category: { M: { type: { S: "plank" }, material: { S: "wood" } } },
      formats: { L: [{ M: { length: { M: { val: { N: "48" }, unit: { S: "in" } } },
                            width: { M: { val: { N: "6" }, unit: { S: "in" } } } } }] },
    } },
  };
}

const client = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, region: process.env.AWS_REGION });

async function measure(op, call) {
  for (let i = 0; i < Math.max(1, Math.floor(n / 10)); i++) await call(1000000 + i);
  const us = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await call(i);
    us.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  us.sort((a, b) => a - b);
  const pct = (p) => us[Math.min(us.length - 1, Math.floor(p * us.length))];
  const mean = us.reduce((a, b) => a + b, 0) / us.length;
  console.log(JSON.stringify({ client: "aws-sdk-js", op, n, p50_us: +pct(0.5).toFixed(1), p99_us: +pct(0.99).toFixed(1),
                               mean_us: +mean.toFixed(1) }));
}

await measure("GetItem", async (i) => {
  const out = await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: `item-${i % items}` } }, ConsistentRead: true }));
  if (!out.Item) throw new Error("missing item");
});
await measure("PutItem", async (i) => {
  await client.send(new PutItemCommand({ TableName: table, Item: item(`put-${tag}-${i % items}`, owner(i), i) }));
});
const counter = `upd-${tag}`;
await client.send(new PutItemCommand({ TableName: table, Item: item(counter, "owner-upd", 0) }));
let version = 1;
await measure("UpdateItem (conditional)", async (i) => {
  await client.send(new UpdateItemCommand({
    TableName: table, Key: { id: { S: counter } }, UpdateExpression: "SET title = :t, version = :next",
    ConditionExpression: "version = :v", ReturnValues: "ALL_NEW",
    ExpressionAttributeValues: { ":t": { S: `Renamed ${i}` }, ":next": { N: String(version + 1) }, ":v": { N: String(version) } },
  }));
  version++;
});
await measure("Query (GSI, 20 items)", async (i) => {
  const out = await client.send(new QueryCommand({
    TableName: table, IndexName: "ByOwner", KeyConditionExpression: "#o = :o", ExpressionAttributeNames: { "#o": "owner" },
    ExpressionAttributeValues: { ":o": { S: owner(i) } }, ScanIndexForward: false, Limit: 20,
  }));
  if (out.Items.length !== 20) throw new Error("short page");
});
await measure("TransactWriteItems (2 puts)", async (i) => {
  const id = `tx-${tag}-${i}`;
  await client.send(new TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName: table, Item: item(`${id}-p`, owner(i), i), ConditionExpression: "attribute_not_exists(id)" } },
    { Put: { TableName: table, Item: item(`${id}-r`, owner(i), i), ConditionExpression: "attribute_not_exists(id)" } },
  ] }));
});
client.destroy();
