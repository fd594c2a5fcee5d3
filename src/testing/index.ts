/**
 * gameday/testing: property-test your own AWS code against the failures AWS really produces.
 * fast-check arbitraries of failure sequences, and an msw handler that applies them to any AWS SDK
 * v3 client's requests. Needs fast-check and msw in your dev dependencies. See docs/testing.md.
 */
export * from "./failures.js";
export * from "./arbitraries.js";
export * from "./injector.js";
