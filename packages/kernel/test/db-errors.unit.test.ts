import { isStatementError, isUniqueViolation } from "../src/db/errors.ts";

describe("database errors", () => {
  it("tells an error the server answered (rolled back) from one whose outcome is unknown", () => {
    expect(isStatementError({ severity: "ERROR", code: "22P02", message: "invalid input syntax for type uuid" })).toBe(true);
    expect(isStatementError({ severity: "ERROR", code: "40P01" })).toBe(true);
    expect(isStatementError(Object.assign(new Error("Connection terminated unexpectedly"), { code: "ECONNRESET" }))).toBe(false);
    expect(isStatementError({ code: "22P02" })).toBe(false);
    expect(isStatementError({ severity: "ERROR", code: "ETIMEDOUT" })).toBe(false);
    expect(isStatementError(null)).toBe(false);
  });

  it("recognises a unique violation from Prisma or from the raw SQLSTATE", () => {
    expect(isUniqueViolation({ code: "P2002" })).toBe(true);
    expect(isUniqueViolation({ code: "23505" })).toBe(true);
    expect(isUniqueViolation({ code: "23503" })).toBe(false);
  });
});
