import type { GraphQLResponse } from "@casino/kernel/testing/service-harness";

/** The data of a response that must have succeeded; fails the test with the errors otherwise. */
export function dataOf<T>(res: GraphQLResponse<T>): T {
  expect(res.errors).toBeUndefined();
  expect(res.data).toBeTruthy();
  return res.data!;
}

/** The error of a response that must have failed: its code and extensions. */
export function errorOf(res: GraphQLResponse<unknown>): { message: string; code?: string; [k: string]: unknown } {
  expect(res.errors?.length).toBeGreaterThan(0);
  const [error] = res.errors!;
  return { message: error!.message, ...error!.extensions };
}
