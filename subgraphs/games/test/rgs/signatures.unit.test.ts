import { createHmac } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hub88PrivateKey, hub88PublicKey, signHub88, signHub88Async, verifyHub88 } from "../../src/rgs/hub88/signature.ts";
import { signSoftswiss, verifySoftswiss } from "../../src/rgs/softswiss/signature.ts";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "vectors/hub88");
const publicKey = hub88PublicKey(fs.readFileSync(path.join(dir, "public.pem"), "utf8"));
const privateKey = hub88PrivateKey(fs.readFileSync(path.join(dir, "private.pem"), "utf8"));
// `data;signature` rows; the data may itself hold ';' no more than JSON allows, so split at the last one.
const vectors = fs
  .readFileSync(path.join(dir, "signatures.csv"), "utf8")
  .split("\n")
  .slice(1)
  .filter((line) => line.trim() !== "")
  .map((line) => ({ data: line.slice(0, line.lastIndexOf(";")), signature: line.slice(line.lastIndexOf(";") + 1).trim() }));

describe("X-Hub88-Signature against the aggregator's published vectors", () => {
  it("has vectors to check", () => {
    expect(vectors.length).toBe(5);
  });

  it.each(vectors)("verifies and reproduces the signature of $data", ({ data, signature }) => {
    expect(verifyHub88(Buffer.from(data, "utf8"), signature, publicKey)).toBe(true);
    expect(signHub88(data, privateKey)).toBe(signature);
  });

  it.each(vectors)("reproduces the signature of $data on the thread pool too (answers are signed there)", async ({ data, signature }) => {
    await expect(signHub88Async(data, privateKey)).resolves.toBe(signature);
  });

  it("refuses a signature of other bytes, a missing one and one that is not base64", () => {
    const [first, second] = vectors;
    expect(verifyHub88(Buffer.from(first!.data + " "), first!.signature, publicKey)).toBe(false);
    expect(verifyHub88(Buffer.from(first!.data), second!.signature, publicKey)).toBe(false);
    expect(verifyHub88(Buffer.from(first!.data), undefined, publicKey)).toBe(false);
    expect(verifyHub88(Buffer.from(first!.data), "not base64!", publicKey)).toBe(false);
  });
});

describe("X-REQUEST-SIGN (hex HMAC-SHA256 of the raw body)", () => {
  const secret = "a-shared-secret-of-some-length-0123456789";
  const body = Buffer.from('{"user_id":"u","actions":[]}');

  it("is the lowercase hex HMAC of the exact bytes", () => {
    const expected = createHmac("sha256", secret).update(body).digest("hex");
    expect(signSoftswiss(body, secret)).toBe(expected);
    expect(verifySoftswiss(body, expected, secret)).toBe(true);
    expect(verifySoftswiss(body, expected.toUpperCase(), secret)).toBe(true);
  });

  it("refuses other bytes, another secret, a truncated or missing signature", () => {
    const sig = signSoftswiss(body, secret);
    expect(verifySoftswiss(Buffer.from('{"user_id":"u","actions":[] }'), sig, secret)).toBe(false);
    expect(verifySoftswiss(body, signSoftswiss(body, `${secret}x`), secret)).toBe(false);
    expect(verifySoftswiss(body, sig.slice(0, 63), secret)).toBe(false);
    expect(verifySoftswiss(body, undefined, secret)).toBe(false);
  });
});
