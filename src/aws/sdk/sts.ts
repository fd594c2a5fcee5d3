/** @aws-sdk/client-sts, loaded with require: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-sts";
import { loadSdk } from "./load.js";

export type * from "@aws-sdk/client-sts";
export const { STSClient, GetCallerIdentityCommand } = loadSdk<typeof Sdk>("@aws-sdk/client-sts");
/** The client class is a type as well as a value. */
export type STSClient = Sdk.STSClient;
