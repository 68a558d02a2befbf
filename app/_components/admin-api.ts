"use client";

export interface ApiError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** JSON call to Plenary's own routes; resolves with the body or throws the server's error. */
export async function api<T>(path: string, method: "POST" | "PATCH" | "GET", body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? undefined : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as { error?: ApiError } & T;
  if (!res.ok)
    throw Object.assign(new Error(json.error?.message ?? `Request failed (${res.status})`), {
      code: json.error?.code ?? "internal",
      details: json.error?.details,
    });
  return json;
}
