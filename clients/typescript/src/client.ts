// A typed client for the authtoken API: DRF's token login, whoami, logout and logout-all,
// djoser's account endpoints and the caller's sessions. Plain `fetch`, no framework. The
// types come from docs/openapi.yaml (`npm run generate` writes src/schema.d.ts).
//
// Errors are values of `ApiError`, carrying the contract's bodies: a 400's per-field messages
// (DRF's, e.g. `{"username": ["This field is required."]}`), a 401's or 429's `detail`, and the
// wait a 429 or 503 asks for (`Retry-After`). A 503 is tried again once after its wait.

import type { components } from "./schema.js";

type Schemas = components["schemas"];

/** The caller's account, as `/auth/users/me/` answers it. */
export type Account = Schemas["Account"];
/** A new user, as registration answers it. */
export type Registered = Schemas["Registered"];
/** One of the caller's tokens, as `/auth/tokens/` lists it (a digest prefix, never a key). */
export type Session = Schemas["Session"];
/** A 400's body: each field's messages (`non_field_errors` for the form's). */
export type FieldErrors = Schemas["FieldErrors"];

/** What went wrong, from the answer's status and body. */
export type Problem =
  | { kind: "fields"; errors: FieldErrors }
  | { kind: "detail"; detail: string }
  | { kind: "unauthorized"; detail: string }
  | { kind: "throttled"; detail: string; retryAfterSeconds: number }
  | { kind: "unavailable"; detail: string; retryAfterSeconds: number }
  | { kind: "token_limit"; error: string }
  | { kind: "network"; message: string };

/** A request the API refused (or could not answer), with the contract's words. */
export class ApiError extends Error {
  /** The HTTP status; 0 when no answer came. */
  readonly status: number;
  /** What went wrong. */
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(describe(problem));
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }

  /** The messages of `field` in a 400 (`[]` for none), e.g. `error.messagesOf("password")`. */
  messagesOf(field: string): string[] {
    return this.problem.kind === "fields" ? (this.problem.errors[field] ?? []) : [];
  }
}

/** How a client is made. */
export interface ClientOptions {
  /** The API's base URL, without a trailing slash: `https://abc.execute-api.eu-west-1.amazonaws.com`. */
  baseUrl: string;
  /** A key from an earlier login, if any. */
  token?: string | null;
  /** Another `fetch` (tests, or a server runtime's). */
  fetch?: typeof fetch;
  /** The longest `Retry-After` of a 503 worth waiting for before trying once more; 5 by default. */
  maxRetryWaitSeconds?: number;
}

/** The API, for one signed-in user (or none yet). */
export class AuthtokenClient {
  /** The key the client sends, `null` when signed out. */
  token: string | null;
  private readonly baseUrl: string;
  private readonly fetcher: typeof fetch;
  private readonly maxRetryWaitSeconds: number;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.token = options.token ?? null;
    this.fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.maxRetryWaitSeconds = options.maxRetryWaitSeconds ?? 5;
  }

  /** DRF's login: the user's key, kept by the client. */
  async login(username: string, password: string): Promise<string> {
    const body = await this.call<Schemas["Token"] | Schemas["KnoxToken"]>("POST", "/api-token-auth/", {
      body: { username, password },
      authenticated: false,
    });
    this.token = body.token;
    return body.token;
  }

  /** The signed-in user's name. */
  async whoami(): Promise<string> {
    const body = await this.call<Schemas["Username"]>("GET", "/api/whoami/");
    return body.username;
  }

  /** Deletes the client's key; the client is signed out whatever the answer. */
  async logout(): Promise<void> {
    try {
      await this.call("POST", "/api/logout/");
    } finally {
      this.token = null;
    }
  }

  /** Deletes every key of the user (every device); the client is signed out. */
  async logoutAll(): Promise<void> {
    try {
      await this.call("POST", "/api/logoutall/");
    } finally {
      this.token = null;
    }
  }

  /** A new password, given the current one (and again, where `SET_PASSWORD_RETYPE` asks). */
  async setPassword(currentPassword: string, newPassword: string, retyped?: string): Promise<void> {
    const body: Record<string, string> = {
      current_password: currentPassword,
      new_password: newPassword,
    };
    if (retyped !== undefined) body["re_new_password"] = retyped;
    await this.call("POST", "/auth/users/set_password/", { body });
  }

  /** A new name, given the current password. */
  async setUsername(currentPassword: string, newUsername: string): Promise<void> {
    await this.call("POST", "/auth/users/set_username/", {
      body: { current_password: currentPassword, new_username: newUsername },
    });
  }

  /** The signed-in user's account. */
  async me(): Promise<Account> {
    return this.call<Account>("GET", "/auth/users/me/");
  }

  /** The signed-in user's email address changed; their account as it now is. */
  async updateEmail(email: string): Promise<Account> {
    return this.call<Account>("PATCH", "/auth/users/me/", { body: { email } });
  }

  /** The signed-in user's account deleted, given their password; the client is signed out. */
  async deleteAccount(currentPassword: string): Promise<void> {
    await this.call("DELETE", "/auth/users/me/", { body: { current_password: currentPassword } });
    this.token = null;
  }

  /** The signed-in user's sessions (tokens), oldest first. */
  async sessions(): Promise<Session[]> {
    return this.call<Session[]>("GET", "/auth/tokens/");
  }

  /** Ends the session whose digest starts with `prefix` (as `sessions()` lists it). */
  async endSession(prefix: string): Promise<void> {
    await this.call("DELETE", `/auth/tokens/${encodeURIComponent(prefix)}/`);
  }

  /** djoser's registration (where it is open). */
  async register(user: { username: string; password: string; email?: string }): Promise<Registered> {
    return this.call<Registered>("POST", "/auth/users/", { body: user, authenticated: false });
  }

  /** Asks for a password reset link for `email` (answered alike whoever has the address). */
  async resetPassword(email: string): Promise<void> {
    await this.call("POST", "/auth/users/reset_password/", { body: { email }, authenticated: false });
  }

  /** Sets a new password from a reset link's `uid` and `token`. */
  async resetPasswordConfirm(uid: string, token: string, newPassword: string, retyped?: string): Promise<void> {
    const body: Record<string, string> = { uid, token, new_password: newPassword };
    if (retyped !== undefined) body["re_new_password"] = retyped;
    await this.call("POST", "/auth/users/reset_password_confirm/", { body, authenticated: false });
  }

  /** Activates the user of an activation link's `uid` and `token`. */
  async activate(uid: string, token: string): Promise<void> {
    await this.call("POST", "/auth/users/activation/", { body: { uid, token }, authenticated: false });
  }

  /** Asks for a new activation link for `email` (answered alike whoever has the address). */
  async resendActivation(email: string): Promise<void> {
    await this.call("POST", "/auth/users/resend_activation/", { body: { email }, authenticated: false });
  }

  /** One request: JSON in, JSON (or nothing) out; an `ApiError` for anything but a 2xx. */
  private async call<T = void>(
    method: string,
    path: string,
    options: { body?: unknown; authenticated?: boolean } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (options.authenticated !== false && this.token !== null) {
      headers["Authorization"] = `Token ${this.token}`;
    }
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) init.body = JSON.stringify(options.body);
    let response = await this.send(path, init);
    if (response.status === 503) {
      const wait = retryAfter(response);
      if (wait <= this.maxRetryWaitSeconds) {
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        response = await this.send(path, init);
      }
    }
    if (response.ok) {
      return (response.status === 204 ? undefined : await response.json()) as T;
    }
    throw new ApiError(response.status, await problemOf(response));
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetcher(this.baseUrl + path, init);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ApiError(0, { kind: "network", message });
    }
  }
}

/** The seconds a 429 or 503 asks to wait (1 when the header is missing or unreadable). */
function retryAfter(response: Response): number {
  const seconds = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : 1;
}

/** The problem a refused answer's status and body describe. */
async function problemOf(response: Response): Promise<Problem> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { kind: "detail", detail: `${response.status} ${response.statusText}` };
  }
  const detail = isRecord(body) && typeof body["detail"] === "string" ? body["detail"] : undefined;
  switch (response.status) {
    case 401:
      return { kind: "unauthorized", detail: detail ?? "Unauthorized" };
    case 429:
      return { kind: "throttled", detail: detail ?? "Throttled", retryAfterSeconds: retryAfter(response) };
    case 503:
      return { kind: "unavailable", detail: detail ?? "Unavailable", retryAfterSeconds: retryAfter(response) };
  }
  if (response.status === 403 && isRecord(body) && typeof body["error"] === "string") {
    return { kind: "token_limit", error: body["error"] };
  }
  if (detail !== undefined) return { kind: "detail", detail };
  if (isRecord(body)) {
    const errors: FieldErrors = {};
    for (const [field, messages] of Object.entries(body)) {
      if (Array.isArray(messages)) errors[field] = messages.map(String);
    }
    return { kind: "fields", errors };
  }
  return { kind: "detail", detail: `${response.status} ${response.statusText}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One line for a problem: a 400's messages joined, or its detail. */
function describe(problem: Problem): string {
  switch (problem.kind) {
    case "fields":
      return Object.entries(problem.errors)
        .map(([field, messages]) => (field === "non_field_errors" ? "" : `${field}: `) + messages.join(" "))
        .join("; ");
    case "token_limit":
      return problem.error;
    case "network":
      return `No answer: ${problem.message}`;
    default:
      return problem.detail;
  }
}
