// Counts D1 round trips per request, for the performance budget (at most 2 per on-demand page for a signed-in
// member). Enabled only when COUNT_D1_QUERIES=1 (tests and benchmarks): the middleware then reports the
// count in an `X-D1-Queries` response header. A db.batch() is one round trip.
import { AsyncLocalStorage } from "node:async_hooks";

const counters = new AsyncLocalStorage<{ queries: number }>();

/** Runs `work` with a fresh counter and returns its result with the number of D1 round trips it made. */
export async function countQueries<T>(work: () => Promise<T>): Promise<{ result: T; queries: number }> {
  const counter = { queries: 0 };
  const result = await counters.run(counter, work);
  return { result, queries: counter.queries };
}

const EXECUTORS = new Set(["first", "all", "run", "raw"]);

function countStatement(statement: D1PreparedStatement, counter: { queries: number }): D1PreparedStatement {
  return new Proxy(statement, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (property === "bind") return (...args: unknown[]) => countStatement(value.apply(target, args), counter);
      if (EXECUTORS.has(String(property))) {
        return (...args: unknown[]) => {
          counter.queries++;
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
}

/** `db` wrapped to count round trips into the current request's counter; `db` itself when none is running. */
export function withQueryCounting(db: D1Database): D1Database {
  const counter = counters.getStore();
  if (counter === undefined) return db;
  return new Proxy(db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === "prepare") return (query: string) => countStatement(target.prepare(query), counter);
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          counter.queries++;
          return target.batch(statements);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
