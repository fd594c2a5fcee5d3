/** @aws-sdk/client-lambda, loaded with require on first use: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-lambda";
import { lazySdk } from "./load.js";

export type * from "@aws-sdk/client-lambda";
export const { LambdaClient, GetFunctionCommand, GetFunctionConcurrencyCommand, PutFunctionConcurrencyCommand, DeleteFunctionConcurrencyCommand } = lazySdk<typeof Sdk>("@aws-sdk/client-lambda");
/** The client class is a type as well as a value. */
export type LambdaClient = Sdk.LambdaClient;
