import { AppError } from "../errors";

/** The AppError a promise is refused with; fails the test if it resolves or throws anything else. */
export async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (AppError.is(err)) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}
