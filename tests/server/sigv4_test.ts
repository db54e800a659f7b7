import { test } from "node:test";
import assert from "node:assert/strict";
import { amzDate, signingKey, signRequest, verifyRequest } from "../../server/sigv4.ts";
import { call, client, CREDENTIALS, sdk, startServer } from "./_helpers.ts";

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

test("signingKey() derives AWS's documented example key", async () => {
  const key = await signingKey(
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "20120215",
    "us-east-1",
    "iam",
  );
  assert.equal(hex(key), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
});

test("signRequest() matches the get-vanilla case of AWS's SigV4 test suite", async () => {
  const headers = new Headers({ "x-amz-date": "20150830T123600Z" });
  await signRequest("GET", new URL("https://example.amazonaws.com/"), headers, new Uint8Array(), {
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  }, {
    region: "us-east-1",
    service: "service",
    now: Date.UTC(2015, 7, 30, 12, 36, 0),
    contentSha256: false,
  });
  assert.equal(
    headers.get("authorization"),
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
  );
});

test("verifyRequest() accepts what signRequest() signs and rejects a changed body", async () => {
  const secrets = new Map([[CREDENTIALS.accessKeyId, CREDENTIALS.secretAccessKey]]);
  const url = new URL("http://127.0.0.1:50051/");
  const body = new TextEncoder().encode('{"TableName":"users"}');
  const headers = new Headers({ "content-type": "application/x-amz-json-1.0", host: url.host });
  await signRequest("POST", url, headers, body, CREDENTIALS);
  const request = () => new Request(url, { method: "POST", headers });
  assert.equal(await verifyRequest(request(), body, secrets), CREDENTIALS.accessKeyId);
  await assert.rejects(verifyRequest(request(), new TextEncoder().encode("{}"), secrets), {
    type: "InvalidSignatureException",
  });
});

test("a server with credentials accepts the AWS SDK signed with the right secret", async () => {
  await using server = await startServer({ credentials: [CREDENTIALS] });
  const ddb = client(server.url);
  try {
    const output = await ddb.send(new sdk.ListTablesCommand({}));
    assert.deepEqual(output.TableNames, []);
  } finally {
    ddb.destroy();
  }
});

test("a server with credentials rejects a wrong secret, an unknown key and a missing signature", async () => {
  await using server = await startServer({ credentials: [CREDENTIALS] });
  const cases = [
    [
      { ...CREDENTIALS, secretAccessKey: "wrong" },
      "InvalidSignatureException",
      /The request signature we calculated does not match/,
    ],
    [
      { ...CREDENTIALS, accessKeyId: "AKIDUNKNOWN" },
      "UnrecognizedClientException",
      /The security token included in the request is invalid/,
    ],
  ] as const;
  for (const [credentials, name, message] of cases) {
    const ddb = client(server.url, credentials);
    try {
      await assert.rejects(ddb.send(new sdk.ListTablesCommand({})), { name, message });
    } finally {
      ddb.destroy();
    }
  }
  const unsigned = await call(server.url, "ListTables", {});
  assert.equal(unsigned.status, 400);
  assert.deepEqual(unsigned.body, {
    __type: "com.amazon.coral.service#MissingAuthenticationTokenException",
    message: "Request is missing Authentication Token",
  });
});

test("a server with credentials rejects a signature older than 15 minutes", async () => {
  await using server = await startServer({ credentials: [CREDENTIALS] });
  const url = new URL(server.url);
  const body = new TextEncoder().encode("{}");
  const headers = new Headers({
    "content-type": "application/x-amz-json-1.0",
    "x-amz-target": "DynamoDB_20120810.ListTables",
  });
  const then = Date.now() - 20 * 60 * 1000;
  await signRequest("POST", url, headers, body, CREDENTIALS, { now: then });
  const response = await fetch(url, { method: "POST", headers, body });
  const error = await response.json();
  assert.equal(error.__type, "com.amazon.coral.service#InvalidSignatureException");
  assert.match(
    error.message,
    new RegExp(`^Signature expired: ${amzDate(then)} is now earlier than `),
  );
});

test("a server without credentials serves unsigned requests (curl)", async () => {
  await using server = await startServer();
  const response = await call(server.url, "ListTables", {});
  assert.equal(response.status, 200);
});
