import type http from "node:http";

/**
 * A page whose rendering meets a database that just went away gets Next's 500, and a server
 * component cannot set another status. This holds a 5xx answer back (error pages are small and
 * rare) and asks `replace` whether to answer differently: when it says yes (the database is
 * unreachable), it writes its own answer on a clean response; otherwise Next's answer goes out
 * unchanged. Answers below 500 pass straight through.
 */
export function holdServerErrors(res: http.ServerResponse, replace: () => Promise<((res: http.ServerResponse) => void) | null>): void {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end };
  let head: unknown[] | undefined;
  let chunks: unknown[] | undefined;
  const holding = () => chunks !== undefined || (!res.headersSent && res.statusCode >= 500);
  const restore = () => Object.assign(res, original);

  res.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
    if (typeof args[0] === "number" && args[0] >= 500) {
      head = args;
      chunks ??= [];
      return res;
    }
    return (original.writeHead as (...a: unknown[]) => http.ServerResponse).apply(res, args);
  };

  res.write = function (this: http.ServerResponse, chunk: unknown, ...rest: unknown[]) {
    if (!holding()) return (original.write as (...a: unknown[]) => boolean).apply(res, [chunk, ...rest]);
    (chunks ??= []).push(chunk);
    return true;
  } as typeof res.write;

  res.end = function (this: http.ServerResponse, ...args: unknown[]) {
    if (!holding()) return (original.end as (...a: unknown[]) => http.ServerResponse).apply(res, args);
    const last = typeof args[0] === "function" ? undefined : args[0];
    if (last !== undefined && last !== null) (chunks ??= []).push(last);
    const held = chunks!;
    void replace()
      .catch(() => null)
      .then((answer) => {
        restore();
        if (answer) {
          for (const name of res.getHeaderNames()) res.removeHeader(name);
          answer(res);
          return;
        }
        if (head) (original.writeHead as (...a: unknown[]) => http.ServerResponse).apply(res, head);
        for (const chunk of held) (original.write as (c: unknown) => boolean).call(res, chunk);
        (original.end as () => http.ServerResponse).call(res);
      });
    return res;
  } as typeof res.end;
}
