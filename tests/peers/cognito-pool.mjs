// Sets up a user pool in a running cognito-local with the real AWS SDK for JavaScript, for the
// system tests.
//   node cognito-pool.mjs ENDPOINT USERS_JSON [TOKEN_SECONDS]
// USERS_JSON: [{"username", "password", "temporary": bool, "name"?, "email"?}]. A temporary
// user keeps its password as a temporary one (FORCE_CHANGE_PASSWORD); the others get it as
// their permanent password. Creates one pool with two app clients (USER_PASSWORD_AUTH and
// REFRESH_TOKEN_AUTH allowed) and a second pool; prints
// {"poolId", "clientId", "otherClientId", "otherPoolId", "otherPoolClientId"}. TOKEN_SECONDS: the
// app clients' id and access token validity in seconds (cognito-local takes any; real Cognito's
// floor is 5 minutes), for a test that must see token refreshes; default Cognito's hour.
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";

const [endpoint, usersJson, tokenSeconds] = process.argv.slice(2);
const validity = tokenSeconds
  ? {
      AccessTokenValidity: Number(tokenSeconds),
      IdTokenValidity: Number(tokenSeconds),
      TokenValidityUnits: { AccessToken: "seconds", IdToken: "seconds" },
    }
  : {};
const cognito = new CognitoIdentityProviderClient({
  endpoint,
  region: "local",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});

async function pool(name) {
  const { UserPool } = await cognito.send(new CreateUserPoolCommand({ PoolName: name, UsernameAttributes: [] }));
  return UserPool.Id;
}
async function client(poolId, name) {
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: name,
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      ...validity,
    }),
  );
  return UserPoolClient.ClientId;
}

const poolId = await pool("k9-test");
const out = { poolId, clientId: await client(poolId, "k9"), otherClientId: await client(poolId, "other-app") };
out.otherPoolId = await pool("k9-other");
out.otherPoolClientId = await client(out.otherPoolId, "k9");

for (const u of JSON.parse(usersJson)) {
  for (const id of [poolId, out.otherPoolId]) {
    const attributes = [];
    if (u.name) attributes.push({ Name: "name", Value: u.name });
    if (u.email) attributes.push({ Name: "email", Value: u.email });
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: id,
        Username: u.username,
        TemporaryPassword: u.password,
        MessageAction: "SUPPRESS",
        UserAttributes: attributes,
      }),
    );
    if (!u.temporary)
      await cognito.send(
        new AdminSetUserPasswordCommand({ UserPoolId: id, Username: u.username, Password: u.password, Permanent: true }),
      );
  }
}
process.stdout.write(JSON.stringify(out));
