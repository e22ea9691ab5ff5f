// Mints a JWT with jose, independently of K9, for the system tests.
//   node mint-token.mjs KEY.pem CLAIMS_JSON [MODE]
// KEY.pem is a PKCS#8 RSA private key in K9's key file format (<data>/keys/key-*.pem); the
// header's kid follows K9's rule: the first 16 characters of base64url(SHA-256(SPKI DER)).
// MODE: "rs256" (default); "fresh-key" signs with a new RSA key but KEY.pem's kid;
// "hs256-public" signs HS256 with KEY.pem's public key PEM as the HMAC secret.
// Prints the token.
import { createHash, createPublicKey, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { importPKCS8, SignJWT } from "jose";

const [pemPath, claimsJson, mode = "rs256"] = process.argv.slice(2);
const pem = readFileSync(pemPath, "utf8");
const publicKey = createPublicKey(pem);
const kid = createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("base64url").slice(0, 16);
const claims = JSON.parse(claimsJson);

let token;
if (mode === "hs256-public") {
  const secret = new TextEncoder().encode(publicKey.export({ type: "spki", format: "pem" }));
  token = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT", kid }).sign(secret);
} else {
  const signingPem =
    mode === "fresh-key"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" })
      : pem;
  const key = await importPKCS8(signingPem, "RS256");
  token = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", kid }).sign(key);
}
process.stdout.write(token);
