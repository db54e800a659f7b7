import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import process from "node:process";
import { CREDENTIALS, startServer } from "./_helpers.ts";

const awsVersion = spawnSync("aws", ["--version"], { encoding: "utf8" });
const skip = awsVersion.status === 0
  ? false
  : "the AWS CLI is not installed (apt-get install awscli); .ci/run installs it";

function aws(
  endpoint: string,
  args: string[],
  secret = CREDENTIALS.secretAccessKey,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("aws", ["dynamodb", ...args, "--endpoint-url", endpoint, "--output", "json"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: secret,
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_PAGER: "",
        AWS_MAX_ATTEMPTS: "1",
      },
    }, (error, stdout, stderr) => {
      resolve({
        code: error === null ? 0 : Number((error as { code?: number }).code ?? 1),
        stdout,
        stderr,
      });
    });
  });
}

test(
  "AWS CLI: aws dynamodb create-table, put-item, get-item, query, scan, describe-table, delete-table",
  { skip, timeout: 60_000 },
  async () => {
    await using server = await startServer({ credentials: [CREDENTIALS] });
    const ok = async (args: string[]) => {
      const result = await aws(server.url, args);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout === "" ? {} : JSON.parse(result.stdout);
    };
    const created = await ok([
      "create-table",
      "--table-name",
      "music",
      "--attribute-definitions",
      "AttributeName=artist,AttributeType=S",
      "AttributeName=song,AttributeType=S",
      "--key-schema",
      "AttributeName=artist,KeyType=HASH",
      "AttributeName=song,KeyType=RANGE",
      "--billing-mode",
      "PAY_PER_REQUEST",
    ]);
    assert.equal(created.TableDescription.TableStatus, "ACTIVE");
    await ok(["wait", "table-exists", "--table-name", "music"]);
    await ok([
      "put-item",
      "--table-name",
      "music",
      "--item",
      '{"artist":{"S":"Ada"},"song":{"S":"One"},"year":{"N":"1843"}}',
    ]);
    await ok([
      "put-item",
      "--table-name",
      "music",
      "--item",
      '{"artist":{"S":"Ada"},"song":{"S":"Two"},"blob":{"B":"AAEC"}}',
    ]);
    const got = await ok([
      "get-item",
      "--table-name",
      "music",
      "--key",
      '{"artist":{"S":"Ada"},"song":{"S":"One"}}',
    ]);
    assert.deepEqual(got.Item, { artist: { S: "Ada" }, song: { S: "One" }, year: { N: "1843" } });
    const queried = await ok([
      "query",
      "--table-name",
      "music",
      "--key-condition-expression",
      "artist = :a",
      "--expression-attribute-values",
      '{":a":{"S":"Ada"}}',
    ]);
    assert.deepEqual(queried.Items.map((item: { song: { S: string } }) => item.song.S), [
      "One",
      "Two",
    ]);
    // AWS CLI v2 reads a blob in --item as base64 (bytes 0, 1, 2); v1 sends its raw text "AAEC".
    const blob = queried.Items[1].blob.B;
    assert.ok(blob === "AAEC" || atob(blob) === "AAEC", `blob ${blob}`);
    const scanned = await ok(["scan", "--table-name", "music", "--select", "COUNT"]);
    assert.equal(scanned.Count, 2);
    assert.deepEqual((await ok(["list-tables"])).TableNames, ["music"]);
    const conditional = await aws(server.url, [
      "put-item",
      "--table-name",
      "music",
      "--item",
      '{"artist":{"S":"Ada"},"song":{"S":"One"}}',
      "--condition-expression",
      "attribute_not_exists(artist)",
    ]);
    assert.notEqual(conditional.code, 0);
    assert.match(conditional.stderr, /ConditionalCheckFailedException/);
    await ok(["delete-table", "--table-name", "music"]);
    assert.deepEqual((await ok(["list-tables"])).TableNames, []);
  },
);

test("AWS CLI: a wrong secret key is rejected with InvalidSignatureException", {
  skip,
  timeout: 60_000,
}, async () => {
  await using server = await startServer({ credentials: [CREDENTIALS] });
  const result = await aws(server.url, ["list-tables"], "not-the-secret");
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /InvalidSignatureException/);
  assert.match(
    result.stderr,
    /The request signature we calculated does not match the signature you provided/,
  );
});
