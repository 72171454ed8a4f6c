// The example's page logic: the API client (client.js, compiled from clients/typescript) and
// the DOM. The key lives in memory and in sessionStorage (this tab only, gone when it closes):
// see README.md for why, and for what an XSS could still do.
import { ApiError, AuthtokenClient } from "./client.js";

const KEY = "authtoken.key";
// The API's base URL: `?api=http://127.0.0.1:8000` (the local server's default).
const apiUrl = new URLSearchParams(location.search).get("api") ?? "http://127.0.0.1:8000";
const api = new AuthtokenClient({ baseUrl: apiUrl, token: sessionStorage.getItem(KEY) });

const $ = (id) => document.getElementById(id);

function say(message, kind = "info") {
  const status = $("status");
  status.textContent = message;
  status.className = message ? kind : "";
}

/** An error in words a user can act on: DRF's messages, the lockout's wait. */
function explain(error) {
  if (!(error instanceof ApiError)) return String(error);
  const problem = error.problem;
  if (problem.kind === "throttled") {
    return `Too many failed attempts: try again in ${problem.retryAfterSeconds} s. (${problem.detail})`;
  }
  if (problem.kind === "network") return `The API at ${apiUrl} does not answer.`;
  return error.message;
}

function remember(token) {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}

async function showSignedIn() {
  const username = await api.whoami();
  $("whoami").textContent = username;
  $("signed-out").hidden = true;
  $("signed-in").hidden = false;
  await showSessions();
}

function showSignedOut() {
  remember(null);
  $("signed-in").hidden = true;
  $("signed-out").hidden = false;
  $("sessions").replaceChildren();
}

async function showSessions() {
  const rows = (await api.sessions()).map((session) => {
    const row = document.createElement("tr");
    row.dataset.digest = session.digest;
    for (const text of [
      session.digest + (session.current ? " (this one)" : ""),
      session.created,
      session.expiry ?? "never",
    ]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    const end = document.createElement("button");
    end.type = "button";
    end.textContent = "End";
    end.addEventListener("click", () =>
      run(async () => {
        await api.endSession(session.digest);
        if (session.current) {
          api.token = null;
          showSignedOut();
          say("This session ended: log in again.");
        } else {
          await showSessions();
          say("Session ended.");
        }
      }),
    );
    const cell = document.createElement("td");
    cell.append(end);
    row.append(cell);
    return row;
  });
  $("sessions").replaceChildren(...rows);
}

/** Runs `action`, showing its error; a 401 means the key is gone: back to the login form. */
async function run(action) {
  try {
    await action();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      api.token = null;
      showSignedOut();
    }
    say(explain(error), "error");
  }
}

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run(async () => {
    remember(await api.login($("username").value, $("password").value));
    $("password").value = "";
    await showSignedIn();
    say("Logged in.");
  });
});

/** A button that signs the user out with `action` (whatever its answer) and says `done`. */
function signOutButton(id, action, done) {
  $(id).addEventListener("click", () =>
    run(async () => {
      try {
        await action();
      } finally {
        showSignedOut();
      }
      say(done);
    }),
  );
}

signOutButton("logout", () => api.logout(), "Logged out.");
signOutButton("logout-all", () => api.logoutAll(), "Logged out everywhere.");

$("password-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run(async () => {
    await api.setPassword($("current-password").value, $("new-password").value);
    $("current-password").value = "";
    $("new-password").value = "";
    // The API revokes every key of the user with the change (LOGOUT_ON_PASSWORD_CHANGE, its
    // default): find out whether this one survived.
    try {
      await showSignedIn();
      say("Password changed.");
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
      api.token = null;
      showSignedOut();
      say("Password changed: log in again with the new one.");
    }
  });
});

if (api.token) {
  run(showSignedIn);
}
