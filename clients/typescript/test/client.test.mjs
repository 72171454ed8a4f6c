// The compiled client (dist/) against `authtoken serve` at AUTHTOKEN_URL, which has the user
// admin / password and locks a name after 5 failed logins (its defaults): what a front-end does
// with it, and the errors it gets, as typed values carrying DRF's messages.
// Run by scripts/typescript.sh; by hand: npm run build && AUTHTOKEN_URL=... node --test test/
import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, AuthtokenClient } from "../dist/client.js";

const baseUrl = process.env.AUTHTOKEN_URL;
assert.ok(baseUrl, "AUTHTOKEN_URL names a running authtoken serve (scripts/typescript.sh starts one)");

async function refused(promise) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiError, `an ApiError, not ${error}`);
    return error;
  }
  assert.fail("the request was not refused");
}

test("a login, whoami, the sessions, and a logout that signs the client out", async () => {
  const client = new AuthtokenClient({ baseUrl });
  const token = await client.login("admin", "password");
  assert.match(token, /^[0-9a-f]{40}$/);
  assert.equal(client.token, token);
  assert.equal(await client.whoami(), "admin");
  const sessions = await client.sessions();
  assert.equal(sessions.length, 1);
  assert.equal(sessions[0].current, true);
  const account = await client.me();
  assert.equal(account.username, "admin");
  await client.logout();
  assert.equal(client.token, null);
  const stale = new AuthtokenClient({ baseUrl, token });
  const error = await refused(stale.whoami());
  assert.equal(error.status, 401);
  assert.deepEqual(error.problem, { kind: "unauthorized", detail: "Invalid token." });
});

test("a 400 carries DRF's messages per field", async () => {
  const client = new AuthtokenClient({ baseUrl });
  const wrong = await refused(client.login("admin", "wrong"));
  assert.equal(wrong.status, 400);
  assert.deepEqual(wrong.messagesOf("non_field_errors"), ["Unable to log in with provided credentials."]);
  assert.equal(wrong.message, "Unable to log in with provided credentials.");
  await client.login("admin", "password");
  const weak = await refused(client.setPassword("password", "1234567"));
  assert.deepEqual(weak.messagesOf("new_password"), [
    "This password is too short. It must contain at least 8 characters.",
    "This password is too common.",
    "This password is entirely numeric.",
  ]);
  const badEmail = await refused(client.updateEmail("admin@"));
  assert.deepEqual(badEmail.messagesOf("email"), ["Enter a valid email address."]);
});

test("the lockout's 429 says how long to wait", async () => {
  const client = new AuthtokenClient({ baseUrl });
  let error;
  for (let attempt = 0; attempt < 10; attempt += 1) {
    error = await refused(client.login("locked-name", "wrong"));
    if (error.status === 429) break;
  }
  assert.equal(error.status, 429);
  assert.equal(error.problem.kind, "throttled");
  assert.ok(error.problem.retryAfterSeconds >= 1, JSON.stringify(error.problem));
  assert.match(error.message, /^Request was throttled\. Expected available in \d+ seconds?\.$/);
});

test("a server that does not answer is a network problem", async () => {
  const client = new AuthtokenClient({ baseUrl: "http://127.0.0.1:9" });
  const error = await refused(client.whoami());
  assert.equal(error.status, 0);
  assert.equal(error.problem.kind, "network");
});
